package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
)

func packageName(name string) tokens.PackageName { return tokens.PackageName(name) }

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
