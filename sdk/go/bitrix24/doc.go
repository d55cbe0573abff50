// Bitrix24 BI Builder (biconnector) connectors, sources and datasets as code: the same provider as the pulumi-bitrix24-biconnector npm package, served as a native plugin.
package bitrix24
