package main

import (
	"fmt"
	"strings"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	kjson "k8s.io/apimachinery/pkg/runtime/serializer/json"
)

// The API groups infra/k8s may use: core, apps, policy, networking and prometheus-operator's
// monitoring.coreos.com/v1 (ServiceMonitor), each with the Go types of its own project.
var scheme = func() *runtime.Scheme {
	s := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{corev1.AddToScheme, appsv1.AddToScheme, policyv1.AddToScheme, networkingv1.AddToScheme, monitoringv1.AddToScheme} {
		if err := add(s); err != nil {
			panic(err)
		}
	}
	return s
}()

// The API server's own JSON decoder in strict mode: unknown fields, duplicate fields and
// case-mismatched field names are errors instead of being dropped in silence.
var strictDecoder = kjson.NewSerializerWithOptions(kjson.DefaultMetaFactory, scheme, scheme, kjson.SerializerOptions{Strict: true})

// decodeStrict returns the typed object (nil when the kind is unknown or the JSON does not fit
// the types at all) and every strict-decoding error, one per field.
func decodeStrict(data []byte) (runtime.Object, []string) {
	obj, gvk, err := strictDecoder.Decode(data, nil, nil)
	if err == nil {
		return obj, nil
	}
	if runtime.IsStrictDecodingError(err) {
		strictErr, _ := runtime.AsStrictDecodingError(err)
		errs := make([]string, 0, len(strictErr.Errors()))
		for _, e := range strictErr.Errors() {
			errs = append(errs, "strict decoding: "+e.Error())
		}
		return obj, errs
	}
	if runtime.IsNotRegisteredError(err) && gvk != nil {
		return nil, []string{fmt.Sprintf("kind %s is not one infra/k8s may use (%s)", gvk.String(), knownKinds())}
	}
	return nil, []string{fmt.Sprintf("decoding: %v", err)}
}

func knownKinds() string {
	var kinds []string
	for _, gv := range []schema.GroupVersion{corev1.SchemeGroupVersion, appsv1.SchemeGroupVersion, policyv1.SchemeGroupVersion, networkingv1.SchemeGroupVersion, monitoringv1.SchemeGroupVersion} {
		kinds = append(kinds, gv.String())
	}
	return "groups " + strings.Join(kinds, ", ")
}
