import { ResourceSchema } from "./spec";

/**
 * biconnector.connector (docs/bitrix24-api.md#connector), fields in the API's schema order, which is
 * the order the portal validates them in. No connector field is immutable: every change is an
 * in-place update.
 */
export const connectorSchema = {
  object: "connector",
  fields: [
    { name: "id", type: "integer", readOnly: true },
    {
      name: "title",
      type: "string",
      required: true,
      minLength: 1,
      maxLength: 512,
      doc: "name shown in BI Builder",
    },
    {
      name: "logo",
      type: "string",
      required: true,
      minLength: 1,
      format: "image",
      doc: "image URL or data:image/...;base64, URI",
    },
    { name: "description", type: "string", default: "", multiline: true },
    { name: "sort", type: "integer", default: 100 },
    { name: "urlCheck", type: "string", required: true, maxLength: 2048, format: "url" },
    { name: "urlData", type: "string", required: true, maxLength: 2048, format: "url" },
    { name: "urlTableList", type: "string", required: true, maxLength: 2048, format: "url" },
    { name: "urlTableDescription", type: "string", required: true, maxLength: 2048, format: "url" },
    {
      name: "settings",
      type: "array",
      required: true,
      itemTypeName: "ConnectorSetting",
      uniqueItemKeys: ["code"],
      items: [
        // The portal's message says "less than 512 characters"; its check lets 512 itself pass.
        { name: "name", type: "string", required: true, minLength: 1, maxLength: 512 },
        { name: "type", type: "string", required: true, enum: ["STRING", "INT"] },
        { name: "code", type: "string", required: true, minLength: 1, maxLength: 512 },
      ],
    },
    { name: "supportMapping", type: "boolean", default: false, sendOnlyIfSet: true },
    { name: "sourceCode", type: "string", maxLength: 64, default: "", sendOnlyIfSet: true },
    {
      name: "adoptId",
      type: "integer",
      providerOnly: true,
      doc: "take over this existing connector",
    },
    { name: "dateCreate", type: "string", readOnly: true },
  ],
} as const satisfies ResourceSchema;
