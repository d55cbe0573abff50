package main

import (
	bitrix24 "github.com/pulumi-bitrix24-biconnector/pulumi-bitrix24-biconnector/sdk/go/bitrix24"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
)

const logo = "data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciLz4="

// program declares connector → source (its password a secret from stack config) → dataset.
func program(ctx *pulumi.Context) error {
	cfg := config.New(ctx, "")
	endpoint := cfg.Require("endpointBaseUrl")
	connector, err := bitrix24.NewConnector(ctx, "warehouse", &bitrix24.ConnectorArgs{
		Title:               pulumi.String("Warehouse"),
		Logo:                pulumi.String(logo),
		UrlCheck:            pulumi.String(endpoint + "/check"),
		UrlTableList:        pulumi.String(endpoint + "/table_list"),
		UrlTableDescription: pulumi.String(endpoint + "/table_description"),
		UrlData:             pulumi.String(endpoint + "/data"),
		Settings: bitrix24.ConnectorSettingArray{
			bitrix24.ConnectorSettingArgs{Name: pulumi.String("Login"), Code: pulumi.String("login"), Type: bitrix24.ConnectorSettingTypeSTRING},
			bitrix24.ConnectorSettingArgs{Name: pulumi.String("Password"), Code: pulumi.String("password"), Type: bitrix24.ConnectorSettingTypeSTRING},
		},
	})
	if err != nil {
		return err
	}
	source, err := bitrix24.NewSource(ctx, "warehouse-db", &bitrix24.SourceArgs{
		ConnectorId: connector.ID().ToStringOutput(),
		Title:       pulumi.String("Warehouse DB"),
		Settings: pulumi.StringMap{
			"login":    pulumi.String(cfg.Require("dbLogin")),
			"password": cfg.RequireSecret("dbPassword"),
		},
	})
	if err != nil {
		return err
	}
	deals, err := bitrix24.NewDataset(ctx, "deals", &bitrix24.DatasetArgs{
		SourceId:     source.ID().ToStringOutput(),
		Name:         pulumi.String("warehouse_deals"),
		ExternalCode: pulumi.String("deals"),
		ExternalName: pulumi.String("Deals"),
		Fields: bitrix24.DatasetColumnArray{
			bitrix24.DatasetColumnArgs{Name: pulumi.String("DEAL_ID"), Type: bitrix24.DatasetColumnTypeInt, ExternalCode: pulumi.String("deal_id")},
			bitrix24.DatasetColumnArgs{Name: pulumi.String("AMOUNT"), Type: bitrix24.DatasetColumnTypeDouble, ExternalCode: pulumi.String("amount")},
		},
	})
	if err != nil {
		return err
	}
	// A lookup, typed from the schema: the connector as the portal has it after this deployment.
	lookedUp := bitrix24.LookupConnectorOutput(ctx, bitrix24.LookupConnectorOutputArgs{Id: connector.ID().ToStringOutput()})
	ctx.Export("connectorId", connector.ID())
	ctx.Export("lookedUpTitle", lookedUp.Title())
	ctx.Export("sourceId", source.ID())
	ctx.Export("datasetId", deals.ID())
	return nil
}
