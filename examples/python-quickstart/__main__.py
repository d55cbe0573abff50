"""A Bitrix24 BI Builder connector and a source using it, in Python (the generated SDK, the native
plugin). The portal's credentials are provider config (docs/installation-configuration.md, "Settings"); the program's own:

    pulumi config set endpointBaseUrl https://connector.example.com
    pulumi config set dbLogin reporting
    pulumi config set --secret dbPassword ...
"""
import pulumi

import pulumi_bitrix24_biconnector as bitrix24

config = pulumi.Config()
endpoint = config.require("endpointBaseUrl")

sales = bitrix24.Connector(
    "sales",
    title="Sales DB",
    logo="data:image/svg+xml;base64,PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciLz4=",
    url_check=f"{endpoint}/check",
    url_table_list=f"{endpoint}/table_list",
    url_table_description=f"{endpoint}/table_description",
    url_data=f"{endpoint}/data",
    settings=[
        bitrix24.ConnectorSettingArgs(name="Login", code="login", type="STRING"),
        bitrix24.ConnectorSettingArgs(name="Password", code="password", type="STRING"),
    ],
)
sales_db = bitrix24.Source(
    "sales-db",
    connector_id=sales.id,
    title="Sales DB",
    settings={"login": config.require("dbLogin"), "password": config.require_secret("dbPassword")},
)

pulumi.export("connectorId", sales.id)
pulumi.export("sourceId", sales_db.id)
