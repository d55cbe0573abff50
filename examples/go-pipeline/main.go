// The whole BI Builder pipeline in Go, on the generated SDK (sdk/go), with the native plugin.
//
// Run as an Automation API inline program: the program runs in this Go process and the CLI needs
// no Go language host. One command per run:
//
//	go run . '{"command": "up", "stack": "dev", "workDir": "...", "config": {...}, "env": {...}}'
//
// It prints the CLI's output, then `@@result <json>` (the change summary and the stack outputs).
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	bitrix24 "github.com/pulumi-bitrix24-biconnector/pulumi-bitrix24-biconnector/sdk/go/bitrix24"
	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optrefresh"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
)

const (
	project = "bitrix24-go-pipeline"
	logo    = "data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciLz4="
)

// pipeline declares connector → source (its password a secret from stack config) → dataset.
func pipeline(ctx *pulumi.Context) error {
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

type configValue struct {
	Value  string `json:"value"`
	Secret bool   `json:"secret"`
}

type request struct {
	Command string                  `json:"command"`
	Stack   string                  `json:"stack"`
	WorkDir string                  `json:"workDir"`
	Config  map[string]*configValue `json:"config"`
	Env     map[string]string       `json:"env"`
}

// outputs holds the stack's outputs after the command (secrets masked), for the result line.
var outputs = map[string]any{}

func run(ctx context.Context, r request) (map[string]int, error) {
	stack, err := auto.UpsertStackInlineSource(ctx, r.Stack, project, pipeline,
		auto.WorkDir(r.WorkDir),
		auto.PulumiHome(r.Env["PULUMI_HOME"]),
		auto.EnvVars(r.Env),
		auto.Project(workspace.Project{
			Name:    packageName(project),
			Runtime: workspace.NewProjectRuntimeInfo("go", nil),
			Backend: &workspace.ProjectBackend{URL: r.Env["PULUMI_BACKEND_URL"]},
		}),
	)
	if err != nil {
		return nil, err
	}
	for key, v := range r.Config {
		if v == nil {
			err = stack.RemoveConfig(ctx, key)
		} else {
			err = stack.SetConfig(ctx, key, auto.ConfigValue{Value: v.Value, Secret: v.Secret})
		}
		if err != nil {
			return nil, err
		}
	}
	defer func() {
		if outs, err := stack.Outputs(ctx); err == nil {
			for k, v := range outs {
				if v.Secret {
					outputs[k] = "[secret]"
				} else {
					outputs[k] = v.Value
				}
			}
		}
	}()
	switch r.Command {
	case "preview":
		res, err := stack.Preview(ctx, optpreview.ProgressStreams(os.Stdout), optpreview.Diff())
		return opCounts(res.ChangeSummary), err
	case "up":
		res, err := stack.Up(ctx, optup.ProgressStreams(os.Stdout), optup.Diff())
		return summary(res.Summary.ResourceChanges), err
	case "refresh":
		res, err := stack.Refresh(ctx, optrefresh.ProgressStreams(os.Stdout))
		return summary(res.Summary.ResourceChanges), err
	case "destroy":
		res, err := stack.Destroy(ctx, optdestroy.ProgressStreams(os.Stdout))
		return summary(res.Summary.ResourceChanges), err
	}
	return nil, fmt.Errorf("unknown command %q", r.Command)
}

func main() {
	var r request
	if len(os.Args) != 2 || json.Unmarshal([]byte(os.Args[1]), &r) != nil {
		fmt.Fprintln(os.Stderr, "usage: go-pipeline '<json request>'")
		os.Exit(2)
	}
	changes, err := run(context.Background(), r)
	if err != nil {
		out, _ := json.Marshal(map[string]string{"message": err.Error()})
		fmt.Printf("\n@@error %s\n", out)
		os.Exit(1)
	}
	out, _ := json.Marshal(map[string]any{"summary": changes, "outputs": outputs})
	fmt.Printf("\n@@result %s\n", out)
}
