"""Runs a Python Pulumi project (its __main__.py) under the real CLI as an Automation API inline
program: the program runs in this Python process, so the CLI needs no Python language host (this
machine cannot have one). One command per run:

    python inline.py '{"project": "examples/python-quickstart", "command": "up", "stack": "dev",
                       "workDir": "...", "config": {...}, "env": {...}}'

workDir holds the stack's config file (Pulumi.<stack>.yaml); it defaults to the project's folder.
It prints the CLI's output, then `@@result <json>` (the change summary and the stack outputs), or
`@@error <json>`.
"""
import json
import os
import re
import runpy
import sys

from pulumi import automation as auto


def project_name(project):
    with open(os.path.join(project, "Pulumi.yaml"), encoding="utf-8") as f:
        m = re.search(r"^name:\s*(\S+)", f.read(), re.M)
    if not m:
        raise SystemExit(f"{project}/Pulumi.yaml names no project")
    return m.group(1)


def main(request):
    project = os.path.abspath(request["project"])
    name = project_name(project)
    env = request.get("env", {})
    sys.path.insert(0, project)

    def program():
        runpy.run_path(os.path.join(project, "__main__.py"), run_name="__main__")

    stack = auto.create_or_select_stack(
        stack_name=request["stack"],
        project_name=name,
        program=program,
        opts=auto.LocalWorkspaceOptions(
            work_dir=request.get("workDir", project),
            pulumi_home=env.get("PULUMI_HOME"),
            env_vars=env,
            project_settings=auto.ProjectSettings(
                name=name,
                runtime="python",
                backend=auto.ProjectBackend(url=env.get("PULUMI_BACKEND_URL")),
            ),
        ),
    )
    for key, value in request.get("config", {}).items():
        if value is None:
            stack.remove_config(key)
        else:
            stack.set_config(key, auto.ConfigValue(value=value["value"], secret=bool(value.get("secret"))))
    out = lambda text: print(text, flush=True)  # noqa: E731
    command = request["command"]
    if command == "preview":
        summary = stack.preview(on_output=out, diff=True).change_summary
    elif command == "up":
        summary = stack.up(on_output=out, diff=True).summary.resource_changes
    elif command == "refresh":
        summary = stack.refresh(on_output=out).summary.resource_changes
    elif command == "destroy":
        summary = stack.destroy(on_output=out).summary.resource_changes
    else:
        raise SystemExit(f"unknown command {command}")
    outputs = {k: ("[secret]" if v.secret else v.value) for k, v in stack.outputs().items()}
    print("@@result " + json.dumps({"summary": summary, "outputs": outputs}), flush=True)


if __name__ == "__main__":
    try:
        main(json.loads(sys.argv[1]))
    except auto.errors.CommandError as e:
        print("@@error " + json.dumps({"message": str(e)}), flush=True)
        sys.exit(1)
