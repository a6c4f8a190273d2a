package main

import (
	"encoding/json"
	"fmt"

	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
)

type kustomizationResult struct {
	Dir string `json:"dir"`
	// Error: the kustomization could not be rendered at all.
	Error   string         `json:"error,omitempty"`
	Objects []objectResult `json:"objects"`
}

type objectResult struct {
	APIVersion string   `json:"apiVersion"`
	Kind       string   `json:"kind"`
	Namespace  string   `json:"namespace,omitempty"`
	Name       string   `json:"name"`
	Errors     []string `json:"errors"`
	// Object: what the typed struct holds, re-encoded; absent when it did not decode at all.
	Object json.RawMessage `json:"object,omitempty"`
}

func (r kustomizationResult) clean() bool {
	if r.Error != "" {
		return false
	}
	for _, o := range r.Objects {
		if len(o.Errors) > 0 {
			return false
		}
	}
	return true
}

// checkKustomization renders dir with kubectl's defaults (load restrictor: files under the
// kustomization root only) and checks each object it yields.
func checkKustomization(dir string) kustomizationResult {
	result := kustomizationResult{Dir: dir, Objects: []objectResult{}}
	resources, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(filesys.MakeFsOnDisk(), dir)
	if err != nil {
		result.Error = err.Error()
		return result
	}
	for _, res := range resources.Resources() {
		item := objectResult{APIVersion: res.GetApiVersion(), Kind: res.GetKind(), Namespace: res.GetNamespace(), Name: res.GetName(), Errors: []string{}}
		data, err := res.MarshalJSON()
		if err != nil {
			item.Errors = append(item.Errors, fmt.Sprintf("kustomize could not encode it: %v", err))
			result.Objects = append(result.Objects, item)
			continue
		}
		obj, decodeErrors := decodeStrict(data)
		item.Errors = append(item.Errors, decodeErrors...)
		if obj != nil {
			item.Errors = append(item.Errors, validate(obj)...)
			item.Object = reencode(obj, &item)
		}
		result.Objects = append(result.Objects, item)
	}
	return result
}

func reencode(obj runtime.Object, item *objectResult) json.RawMessage {
	out, err := json.Marshal(obj)
	if err != nil {
		item.Errors = append(item.Errors, fmt.Sprintf("re-encoding the typed object: %v", err))
		return nil
	}
	return out
}
