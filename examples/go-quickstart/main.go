// A Bitrix24 BI Builder connector and a source using it, in Go (the generated SDK, the native
// plugin). The portal's credentials are provider config (docs/installation-configuration.md, "Settings"); the program's own:
//
//	pulumi config set endpointBaseUrl https://connector.example.com
//	pulumi config set dbLogin reporting
//	pulumi config set --secret dbPassword ...
package main

import "github.com/pulumi/pulumi/sdk/v3/go/pulumi"

func main() { pulumi.Run(program) }
