// k8s-manifests: authtrail's Kubernetes manifests (infra/k8s) read by Kubernetes' own code.
//
//	k8s-manifests render DIR [DIR...]
//	    Renders each kustomization with kustomize's Go API (sigs.k8s.io/kustomize/api/krusty, as
//	    `kubectl apply -k` does), decodes every object it produces with Kubernetes' own Go types in
//	    strict mode (an unknown or duplicated field is an error, as `kubectl apply
//	    --validate=strict` makes it) and runs apimachinery's name, label, selector and port checks.
//	    Prints one JSON document: per directory the objects as the typed structs re-encode them,
//	    with their errors. Exit 0: no errors; 1: some object or kustomization has errors.
//
// Kinds outside the scheme (scheme.go) are errors too: a manifest of a kind nothing here knows
// would go unchecked.
package main

import (
	"encoding/json"
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 3 || os.Args[1] != "render" {
		fmt.Fprintln(os.Stderr, "usage: k8s-manifests render DIR [DIR...]")
		os.Exit(2)
	}
	results := make([]kustomizationResult, 0, len(os.Args)-2)
	clean := true
	for _, dir := range os.Args[2:] {
		result := checkKustomization(dir)
		clean = clean && result.clean()
		results = append(results, result)
	}
	encoder := json.NewEncoder(os.Stdout)
	encoder.SetIndent("", "  ")
	if err := encoder.Encode(results); err != nil {
		fmt.Fprintln(os.Stderr, "k8s-manifests:", err)
		os.Exit(2)
	}
	if !clean {
		os.Exit(1)
	}
}
