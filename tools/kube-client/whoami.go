package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	authenticationv1alpha1 "k8s.io/api/authentication/v1alpha1"
	authenticationv1beta1 "k8s.io/api/authentication/v1beta1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	authenticationv1client "k8s.io/client-go/kubernetes/typed/authentication/v1"
	authenticationv1alpha1client "k8s.io/client-go/kubernetes/typed/authentication/v1alpha1"
	authenticationv1beta1client "k8s.io/client-go/kubernetes/typed/authentication/v1beta1"
	"k8s.io/client-go/tools/clientcmd"
)

type whoamiAnswer struct {
	APIVersion string    `json:"apiVersion,omitempty"`
	UserInfo   *userInfo `json:"userInfo,omitempty"`
	Error      string    `json:"error,omitempty"`
	// For an API error (a kube Status): its HTTP code and reason, as client-go decoded them.
	Code   int32  `json:"code,omitempty"`
	Reason string `json:"reason,omitempty"`
}

// runWhoami creates a SelfSubjectReview as `kubectl auth whoami` does (k8s.io/kubectl
// pkg/cmd/auth/whoami.go): the rest.Config from the kubeconfig, client-go's generated
// authentication.k8s.io client of the version (what clientset.AuthenticationV1() returns),
// SelfSubjectReviews().Create with an empty review. With --content-type protobuf the rest.Config
// asks for application/vnd.kubernetes.protobuf explicitly; with --content-type default it is left
// to client-go, whose clients for built-in types prefer protobuf (kubectl's case).
func runWhoami(args []string, out io.Writer) error {
	flags := flag.NewFlagSet("whoami", flag.ContinueOnError)
	kubeconfig := flags.String("kubeconfig", "", "kubeconfig with the server and the caller's credentials")
	apiVersion := flags.String("api-version", "v1", "authentication.k8s.io version: v1, v1beta1 or v1alpha1")
	contentType := flags.String("content-type", "protobuf", "protobuf (explicit in rest.Config) or default (client-go's choice)")
	if err := flags.Parse(args); err != nil {
		return err
	}
	if *kubeconfig == "" {
		return fmt.Errorf("--kubeconfig is required")
	}
	config, err := clientcmd.BuildConfigFromFlags("", *kubeconfig)
	if err != nil {
		return err
	}
	switch *contentType {
	case "protobuf":
		config.ContentConfig.ContentType = "application/vnd.kubernetes.protobuf"
	case "default":
	default:
		return fmt.Errorf("unknown --content-type %q", *contentType)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	answer := whoamiAnswer{APIVersion: "authentication.k8s.io/" + *apiVersion}
	switch *apiVersion {
	case "v1":
		client, err := authenticationv1client.NewForConfig(config)
		if err != nil {
			return err
		}
		review, err := client.SelfSubjectReviews().Create(ctx, &authenticationv1.SelfSubjectReview{}, metav1.CreateOptions{})
		if err == nil {
			u := review.Status.UserInfo
			answer.UserInfo = toUserInfo(u.Username, u.UID, u.Groups, u.Extra)
		}
		answer.setError(err)
	case "v1beta1":
		client, err := authenticationv1beta1client.NewForConfig(config)
		if err != nil {
			return err
		}
		review, err := client.SelfSubjectReviews().Create(ctx, &authenticationv1beta1.SelfSubjectReview{}, metav1.CreateOptions{})
		if err == nil {
			u := review.Status.UserInfo
			answer.UserInfo = toUserInfo(u.Username, u.UID, u.Groups, u.Extra)
		}
		answer.setError(err)
	case "v1alpha1":
		client, err := authenticationv1alpha1client.NewForConfig(config)
		if err != nil {
			return err
		}
		review, err := client.SelfSubjectReviews().Create(ctx, &authenticationv1alpha1.SelfSubjectReview{}, metav1.CreateOptions{})
		if err == nil {
			u := review.Status.UserInfo
			answer.UserInfo = toUserInfo(u.Username, u.UID, u.Groups, u.Extra)
		}
		answer.setError(err)
	default:
		return fmt.Errorf("unknown --api-version %q", *apiVersion)
	}
	return json.NewEncoder(out).Encode(answer)
}

func (a *whoamiAnswer) setError(err error) {
	if err == nil {
		return
	}
	a.Error = err.Error()
	var status apierrors.APIStatus
	if errors.As(err, &status) {
		a.Code = status.Status().Code
		a.Reason = string(status.Status().Reason)
	}
}

func toUserInfo[V ~[]string](username, uid string, groups []string, extra map[string]V) *userInfo {
	out := &userInfo{Username: username, UID: uid, Groups: groups, Extra: map[string][]string{}}
	if out.Groups == nil {
		out.Groups = []string{}
	}
	for k, v := range extra {
		out.Extra[k] = []string(v)
	}
	return out
}
