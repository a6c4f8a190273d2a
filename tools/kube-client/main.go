// kube-client: Kubernetes' own client code, driven by authtrail's tests.
//
//	kube-client webhook --kubeconfig FILE [--version v1beta1] [--cache-ttl 2m] [--api-audiences a,b]
//	    kube-apiserver's token webhook authenticator (k8s.io/apiserver
//	    plugin/pkg/authenticator/token/webhook behind pkg/authentication/token/cache), wired as
//	    kube-apiserver wires it; JSON lines on stdin and stdout (see webhook.go).
//	kube-client whoami --kubeconfig FILE [--api-version v1] [--content-type protobuf]
//	    client-go's SelfSubjectReview, as `kubectl auth whoami` sends it; one JSON line on stdout.
//
// Tokens arrive on stdin or in the kubeconfig file, never on the command line, and are never printed.
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: kube-client webhook|whoami [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "webhook":
		err = runWebhook(os.Args[2:], os.Stdin, os.Stdout)
	case "whoami":
		err = runWhoami(os.Args[2:], os.Stdout)
	default:
		err = fmt.Errorf("unknown command %q (webhook, whoami)", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "kube-client:", err)
		os.Exit(1)
	}
}
