// The whole BI Builder pipeline in Go, on the generated SDK (sdk/go), with the native plugin:
// connector → source (its password a secret from stack config) → dataset, and a lookup.
//
//	pulumi config set endpointBaseUrl https://connector.example.com
//	pulumi config set dbLogin reporting
//	pulumi config set --secret dbPassword ...
//	pulumi up
package main

import "github.com/pulumi/pulumi/sdk/v3/go/pulumi"

func main() { pulumi.Run(program) }
