"""The whole BI Builder pipeline in Python, on the generated SDK (sdk/python), with the native
plugin: connector → source (its password a secret from stack config) → dataset, and a lookup.

    pulumi config set endpointBaseUrl https://connector.example.com
    pulumi config set dbLogin reporting
    pulumi config set --secret dbPassword ...
    pulumi up
"""
import pulumi

import pulumi_bitrix24_biconnector as bitrix24

LOGO = "data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciLz4="

config = pulumi.Config()
endpoint = config.require("endpointBaseUrl")
connector = bitrix24.Connector(
    "warehouse",
    title="Warehouse",
    logo=LOGO,
    url_check=f"{endpoint}/check",
    url_table_list=f"{endpoint}/table_list",
    url_table_description=f"{endpoint}/table_description",
    url_data=f"{endpoint}/data",
    settings=[
        bitrix24.ConnectorSettingArgs(name="Login", code="login", type="STRING"),
        bitrix24.ConnectorSettingArgs(name="Password", code="password", type="STRING"),
    ],
)
source = bitrix24.Source(
    "warehouse-db",
    connector_id=connector.id,
    title="Warehouse DB",
    settings={
        "login": config.require("dbLogin"),
        "password": config.require_secret("dbPassword"),
    },
)
deals = bitrix24.Dataset(
    "deals",
    source_id=source.id,
    name="warehouse_deals",
    external_code="deals",
    external_name="Deals",
    fields=[
        bitrix24.DatasetColumnArgs(name="DEAL_ID", type="int", external_code="deal_id"),
        bitrix24.DatasetColumnArgs(name="AMOUNT", type="double", external_code="amount"),
    ],
)
# A lookup, typed from the schema: the connector as the portal has it after this deployment.
looked_up = bitrix24.get_connector_output(id=connector.id)
pulumi.export("connectorId", connector.id)
pulumi.export("lookedUpTitle", looked_up.title)
pulumi.export("sourceId", source.id)
pulumi.export("datasetId", deals.id)
