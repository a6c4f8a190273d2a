package main

import (
	"fmt"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// validate runs the checks apimachinery offers without k8s.io/kubernetes (whose
// pkg/apis/*/validation is not importable): object names, namespaces, labels, annotations,
// selectors (and that a workload's selector matches its pod template), port, env and volume
// names, and volume mounts that name a volume of the pod. Namespaced objects must carry a
// namespace: the kustomization sets it, so `kubectl apply -k` never lands in "default".
func validate(obj runtime.Object) []string {
	var errs field.ErrorList
	meta := field.NewPath("metadata")
	switch o := obj.(type) {
	case *corev1.Namespace:
		errs = apivalidation.ValidateObjectMeta(&o.ObjectMeta, false, apivalidation.ValidateNamespaceName, meta)
	case *corev1.ConfigMap:
		errs = apivalidation.ValidateObjectMeta(&o.ObjectMeta, true, apivalidation.NameIsDNSSubdomain, meta)
		for key := range o.Data {
			errs = append(errs, keyErrors(key, field.NewPath("data").Key(key))...)
		}
	case *corev1.Secret:
		errs = apivalidation.ValidateObjectMeta(&o.ObjectMeta, true, apivalidation.NameIsDNSSubdomain, meta)
		for key := range o.Data {
			errs = append(errs, keyErrors(key, field.NewPath("data").Key(key))...)
		}
		for key := range o.StringData {
			errs = append(errs, keyErrors(key, field.NewPath("stringData").Key(key))...)
		}
	case *corev1.Service:
		// Service names become DNS labels and env var prefixes: DNS-1035.
		errs = apivalidation.ValidateObjectMeta(&o.ObjectMeta, true, apivalidation.NameIsDNS1035Label, meta)
		errs = append(errs, validateService(&o.Spec, field.NewPath("spec"))...)
	case *appsv1.Deployment:
		errs = apivalidation.ValidateObjectMeta(&o.ObjectMeta, true, apivalidation.NameIsDNSSubdomain, meta)
		errs = append(errs, validateWorkload(o.Spec.Selector, &o.Spec.Template, field.NewPath("spec"))...)
	case *policyv1.PodDisruptionBudget:
		errs = apivalidation.ValidateObjectMeta(&o.ObjectMeta, true, apivalidation.NameIsDNSSubdomain, meta)
		spec := field.NewPath("spec")
		errs = append(errs, requiredSelector(o.Spec.Selector, spec.Child("selector"))...)
		if (o.Spec.MinAvailable == nil) == (o.Spec.MaxUnavailable == nil) {
			errs = append(errs, field.Invalid(spec, "", "exactly one of minAvailable and maxUnavailable must be set"))
		}
	case *networkingv1.NetworkPolicy:
		errs = apivalidation.ValidateObjectMeta(&o.ObjectMeta, true, apivalidation.NameIsDNSSubdomain, meta)
		errs = append(errs, validateNetworkPolicy(&o.Spec, field.NewPath("spec"))...)
	case *monitoringv1.ServiceMonitor:
		errs = apivalidation.ValidateObjectMeta(&o.ObjectMeta, true, apivalidation.NameIsDNSSubdomain, meta)
		spec := field.NewPath("spec")
		errs = append(errs, requiredSelector(&o.Spec.Selector, spec.Child("selector"))...)
		if len(o.Spec.Endpoints) == 0 {
			errs = append(errs, field.Required(spec.Child("endpoints"), "a ServiceMonitor without endpoints scrapes nothing"))
		}
		for i, ep := range o.Spec.Endpoints {
			errs = append(errs, portNameErrors(ep.Port, spec.Child("endpoints").Index(i).Child("port"))...)
		}
	default:
		errs = field.ErrorList{field.InternalError(nil, fmt.Errorf("no checks for %T", obj))}
	}
	out := make([]string, 0, len(errs))
	for _, e := range errs {
		out = append(out, e.Error())
	}
	return out
}

// invalid turns the messages of one of apimachinery's validation.Is* checks into field errors.
func invalid(path *field.Path, value any, msgs []string) field.ErrorList {
	var errs field.ErrorList
	for _, msg := range msgs {
		errs = append(errs, field.Invalid(path, value, msg))
	}
	return errs
}

func keyErrors(key string, path *field.Path) field.ErrorList {
	return invalid(path, key, validation.IsConfigMapKey(key))
}

func requiredSelector(selector *metav1.LabelSelector, path *field.Path) field.ErrorList {
	if selector == nil || (len(selector.MatchLabels) == 0 && len(selector.MatchExpressions) == 0) {
		return field.ErrorList{field.Required(path, "an empty selector selects everything")}
	}
	return metav1validation.ValidateLabelSelector(selector, metav1validation.LabelSelectorValidationOptions{}, path)
}

func validateWorkload(selector *metav1.LabelSelector, template *corev1.PodTemplateSpec, spec *field.Path) field.ErrorList {
	errs := requiredSelector(selector, spec.Child("selector"))
	errs = append(errs, metav1validation.ValidateLabels(template.Labels, spec.Child("template", "metadata", "labels"))...)
	if len(errs) == 0 {
		parsed, err := metav1.LabelSelectorAsSelector(selector)
		if err != nil {
			errs = append(errs, field.Invalid(spec.Child("selector"), selector, err.Error()))
		} else if !parsed.Matches(labels.Set(template.Labels)) {
			errs = append(errs, field.Invalid(spec.Child("template", "metadata", "labels"), template.Labels, "does not match spec.selector"))
		}
	}
	return append(errs, validatePodSpec(&template.Spec, spec.Child("template", "spec"))...)
}

func validatePodSpec(pod *corev1.PodSpec, path *field.Path) field.ErrorList {
	var errs field.ErrorList
	volumes := map[string]bool{}
	for i, v := range pod.Volumes {
		p := path.Child("volumes").Index(i).Child("name")
		errs = append(errs, dnsLabel(v.Name, p)...)
		if volumes[v.Name] {
			errs = append(errs, field.Duplicate(p, v.Name))
		}
		volumes[v.Name] = true
	}
	if len(pod.Containers) == 0 {
		errs = append(errs, field.Required(path.Child("containers"), ""))
	}
	names := map[string]bool{}
	for i := range pod.Containers {
		c := &pod.Containers[i]
		p := path.Child("containers").Index(i)
		errs = append(errs, dnsLabel(c.Name, p.Child("name"))...)
		if names[c.Name] {
			errs = append(errs, field.Duplicate(p.Child("name"), c.Name))
		}
		names[c.Name] = true
		errs = append(errs, validateContainer(c, volumes, p)...)
	}
	return errs
}

func validateContainer(c *corev1.Container, volumes map[string]bool, path *field.Path) field.ErrorList {
	var errs field.ErrorList
	if c.Image == "" {
		errs = append(errs, field.Required(path.Child("image"), ""))
	}
	ports := map[string]bool{}
	for i, port := range c.Ports {
		p := path.Child("ports").Index(i)
		errs = append(errs, invalid(p.Child("containerPort"), port.ContainerPort, validation.IsValidPortNum(int(port.ContainerPort)))...)
		if port.Name != "" {
			errs = append(errs, portNameErrors(port.Name, p.Child("name"))...)
			if ports[port.Name] {
				errs = append(errs, field.Duplicate(p.Child("name"), port.Name))
			}
			ports[port.Name] = true
		}
	}
	for i, env := range c.Env {
		errs = append(errs, invalid(path.Child("env").Index(i).Child("name"), env.Name, validation.IsEnvVarName(env.Name))...)
	}
	mounts := map[string]bool{}
	for i, m := range c.VolumeMounts {
		p := path.Child("volumeMounts").Index(i)
		if !volumes[m.Name] {
			errs = append(errs, field.NotFound(p.Child("name"), m.Name))
		}
		if mounts[m.MountPath] {
			errs = append(errs, field.Duplicate(p.Child("mountPath"), m.MountPath))
		}
		mounts[m.MountPath] = true
	}
	return errs
}

func validateService(spec *corev1.ServiceSpec, path *field.Path) field.ErrorList {
	errs := metav1validation.ValidateLabels(spec.Selector, path.Child("selector"))
	if len(spec.Selector) == 0 {
		errs = append(errs, field.Required(path.Child("selector"), "these manifests' Services select their pods"))
	}
	for i, port := range spec.Ports {
		p := path.Child("ports").Index(i)
		// A Service port name is a DNS label (it becomes an SRV record).
		errs = append(errs, dnsLabel(port.Name, p.Child("name"))...)
		errs = append(errs, invalid(p.Child("port"), port.Port, validation.IsValidPortNum(int(port.Port)))...)
		errs = append(errs, targetPortErrors(port.TargetPort, p.Child("targetPort"))...)
	}
	return errs
}

func validateNetworkPolicy(spec *networkingv1.NetworkPolicySpec, path *field.Path) field.ErrorList {
	errs := metav1validation.ValidateLabelSelector(&spec.PodSelector, metav1validation.LabelSelectorValidationOptions{}, path.Child("podSelector"))
	for i, rule := range spec.Ingress {
		p := path.Child("ingress").Index(i)
		for j, peer := range rule.From {
			q := p.Child("from").Index(j)
			errs = append(errs, metav1validation.ValidateLabelSelector(peer.PodSelector, metav1validation.LabelSelectorValidationOptions{}, q.Child("podSelector"))...)
			errs = append(errs, metav1validation.ValidateLabelSelector(peer.NamespaceSelector, metav1validation.LabelSelectorValidationOptions{}, q.Child("namespaceSelector"))...)
		}
		for j, port := range rule.Ports {
			if port.Port != nil {
				errs = append(errs, targetPortErrors(*port.Port, p.Child("ports").Index(j).Child("port"))...)
			}
		}
	}
	return errs
}

func targetPortErrors(port intstr.IntOrString, path *field.Path) field.ErrorList {
	if port.Type == intstr.String {
		return portNameErrors(port.StrVal, path)
	}
	return invalid(path, port.IntValue(), validation.IsValidPortNum(port.IntValue()))
}

func portNameErrors(name string, path *field.Path) field.ErrorList {
	return invalid(path, name, validation.IsValidPortName(name))
}

func dnsLabel(name string, path *field.Path) field.ErrorList {
	return invalid(path, name, validation.IsDNS1123Label(name))
}
