"""The whole BI Builder pipeline in Python, on the generated SDK (sdk/python), with the native plugin.

Run as an Automation API inline program: the program runs in this Python process and the CLI needs
no Python language host. One command per run:

    python pipeline.py '{"command": "up", "stack": "dev", "workDir": "...", "config": {...}, "env": {...}}'

It prints the CLI's output, then `@@result <json>` (the change summary and the stack outputs).
"""
import json
import os
import sys

import pulumi
from pulumi import automation as auto

import pulumi_bitrix24_biconnector as bitrix24

PROJECT = "bitrix24-python-pipeline"
LOGO = "data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciLz4="


def pipeline():
    """Connector → source (its password a secret from stack config) → dataset."""
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


def main(request):
    env = request.get("env", {})
    stack = auto.create_or_select_stack(
        stack_name=request["stack"],
        project_name=PROJECT,
        program=pipeline,
        opts=auto.LocalWorkspaceOptions(
            work_dir=request["workDir"],
            pulumi_home=env.get("PULUMI_HOME"),
            env_vars=env,
            project_settings=auto.ProjectSettings(
                name=PROJECT,
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
