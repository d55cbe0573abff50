// Runs a Go Pulumi project under the real CLI as an Automation API inline program: the project's
// `program` function runs in this Go process, so the CLI needs no Go language host (this machine
// cannot have one). The tests build it in place of the project's main.go (go build -overlay), so
// the project stays as a user has it. One command per run:
//
//	inline '{"project": "examples/go-pipeline", "command": "up", "stack": "dev", "workDir": "...",
//	         "config": {...}, "env": {...}}'
//
// workDir holds the stack's config file; it defaults to the project's folder. It prints the CLI's
// output, then `@@result <json>` (the change summary and the stack outputs), or `@@error <json>`.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optrefresh"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
)

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
	Project string                  `json:"project"`
}

// outputs holds the stack's outputs after the command (secrets masked), for the result line.
var outputs = map[string]any{}

// projectName is the name the project's Pulumi.yaml declares.
func projectName(dir string) (string, error) {
	text, err := os.ReadFile(filepath.Join(dir, "Pulumi.yaml"))
	if err != nil {
		return "", err
	}
	m := regexp.MustCompile(`(?m)^name:\s*(\S+)`).FindSubmatch(text)
	if m == nil {
		return "", fmt.Errorf("%s/Pulumi.yaml names no project", dir)
	}
	return string(m[1]), nil
}

func run(ctx context.Context, r request) (map[string]int, error) {
	project, err := projectName(r.Project)
	if err != nil {
		return nil, err
	}
	workDir := r.WorkDir
	if workDir == "" {
		workDir = r.Project
	}
	stack, err := auto.UpsertStackInlineSource(ctx, r.Stack, project, program,
		auto.WorkDir(workDir),
		auto.PulumiHome(r.Env["PULUMI_HOME"]),
		auto.EnvVars(r.Env),
		auto.Project(workspace.Project{
			Name:    tokens.PackageName(project),
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
		fmt.Fprintln(os.Stderr, "usage: inline '<json request>'")
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

func summary(changes *map[string]int) map[string]int {
	if changes == nil {
		return nil
	}
	return *changes
}

func opCounts(changes map[apitype.OpType]int) map[string]int {
	out := map[string]int{}
	for op, n := range changes {
		out[string(op)] = n
	}
	return out
}
