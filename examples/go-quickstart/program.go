package main

import (
	bitrix24 "github.com/pulumi-bitrix24-biconnector/pulumi-bitrix24-biconnector/sdk/go/bitrix24"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
)

// program declares a connector and a source using it (its password a secret from stack config).
func program(ctx *pulumi.Context) error {
	cfg := config.New(ctx, "")
	endpoint := cfg.Require("endpointBaseUrl")
	sales, err := bitrix24.NewConnector(ctx, "sales", &bitrix24.ConnectorArgs{
		Title:               pulumi.String("Sales DB"),
		Logo:                pulumi.String("data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciLz4="),
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
	salesDb, err := bitrix24.NewSource(ctx, "sales-db", &bitrix24.SourceArgs{
		ConnectorId: sales.ID().ToStringOutput(),
		Title:       pulumi.String("Sales DB"),
		Settings: pulumi.StringMap{
			"login":    pulumi.String(cfg.Require("dbLogin")),
			"password": cfg.RequireSecret("dbPassword"),
		},
	})
	if err != nil {
		return err
	}
	ctx.Export("connectorId", sales.ID())
	ctx.Export("sourceId", salesDb.ID())
	return nil
}
