package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"k8s.io/apiserver/pkg/authentication/authenticator"
	tokencache "k8s.io/apiserver/pkg/authentication/token/cache"
	webhookutil "k8s.io/apiserver/pkg/util/webhook"
	"k8s.io/apiserver/plugin/pkg/authenticator/token/webhook"
)

// One lookup: {"id":"1","op":"authenticate","token":"...","audiences":["api"]}. `audiences` are
// the request's audiences (what kube-apiserver's request filter puts on the context); without
// them the lookup is audience-agnostic.
type webhookRequest struct {
	ID        string   `json:"id"`
	Op        string   `json:"op"`
	Token     string   `json:"token"`
	Audiences []string `json:"audiences,omitempty"`
}

type userInfo struct {
	Username string              `json:"username"`
	UID      string              `json:"uid"`
	Groups   []string            `json:"groups"`
	Extra    map[string][]string `json:"extra"`
}

// The authenticator's three results, as kube-apiserver sees them: (response, ok, err).
type webhookAnswer struct {
	ID            string    `json:"id"`
	Authenticated bool      `json:"authenticated"`
	User          *userInfo `json:"user,omitempty"`
	Audiences     []string  `json:"audiences,omitempty"`
	Error         string    `json:"error,omitempty"`
}

// newWebhookTokenAuthenticator is kube-apiserver's own (pkg/kubeapiserver/authenticator/config.go):
// the kubeconfig loaded by k8s.io/apiserver's webhook util, the webhook authenticator in the
// configured TokenReview version with the API audiences as implicit audiences, kube's default
// retry backoff, and the token cache with cacheErrs=false (an answer carrying status.error is
// never cached; a definitive "not authenticated" is, for the failure TTL).
func newWebhookTokenAuthenticator(kubeconfig, version string, apiAudiences authenticator.Audiences, successTTL, failureTTL time.Duration) (authenticator.Token, error) {
	clientConfig, err := webhookutil.LoadKubeconfig(kubeconfig, nil)
	if err != nil {
		return nil, err
	}
	webhookTokenAuthenticator, err := webhook.New(clientConfig, version, apiAudiences, *webhook.DefaultRetryBackoff())
	if err != nil {
		return nil, err
	}
	return tokencache.New(webhookTokenAuthenticator, false, successTTL, failureTTL), nil
}

func runWebhook(args []string, in io.Reader, out io.Writer) error {
	flags := flag.NewFlagSet("webhook", flag.ContinueOnError)
	kubeconfig := flags.String("kubeconfig", "", "webhook kubeconfig (--authentication-token-webhook-config-file)")
	// kube-apiserver's defaults: --authentication-token-webhook-version=v1beta1, --authentication-token-webhook-cache-ttl=2m.
	version := flags.String("version", "v1beta1", "TokenReview version (--authentication-token-webhook-version)")
	cacheTTL := flags.Duration("cache-ttl", 2*time.Minute, "success and failure TTL (--authentication-token-webhook-cache-ttl)")
	successTTL := flags.Duration("success-ttl", -1, "success TTL, when it differs from --cache-ttl")
	failureTTL := flags.Duration("failure-ttl", -1, "failure TTL, when it differs from --cache-ttl")
	apiAudiences := flags.String("api-audiences", "", "comma-separated API audiences (--api-audiences)")
	if err := flags.Parse(args); err != nil {
		return err
	}
	if *kubeconfig == "" {
		return fmt.Errorf("--kubeconfig is required")
	}
	if *successTTL < 0 {
		*successTTL = *cacheTTL
	}
	if *failureTTL < 0 {
		*failureTTL = *cacheTTL
	}
	var audiences authenticator.Audiences
	if *apiAudiences != "" {
		audiences = strings.Split(*apiAudiences, ",")
	}
	tokenAuthenticator, err := newWebhookTokenAuthenticator(*kubeconfig, *version, audiences, *successTTL, *failureTTL)
	if err != nil {
		return err
	}

	// Lookups run concurrently, as requests do in kube-apiserver; answers carry the request's id.
	var (
		writeMu sync.Mutex
		running sync.WaitGroup
	)
	encoder := json.NewEncoder(out)
	answer := func(a webhookAnswer) {
		writeMu.Lock()
		defer writeMu.Unlock()
		_ = encoder.Encode(a)
	}
	scanner := bufio.NewScanner(in)
	scanner.Buffer(make([]byte, 0, 64*1024), 4*1024*1024)
	for scanner.Scan() {
		line := scanner.Bytes()
		if len(strings.TrimSpace(string(line))) == 0 {
			continue
		}
		var req webhookRequest
		if err := json.Unmarshal(line, &req); err != nil {
			answer(webhookAnswer{Error: "bad request line: " + err.Error()})
			continue
		}
		if req.Op != "authenticate" {
			answer(webhookAnswer{ID: req.ID, Error: fmt.Sprintf("unknown op %q", req.Op)})
			continue
		}
		running.Add(1)
		go func(req webhookRequest) {
			defer running.Done()
			answer(authenticate(tokenAuthenticator, req))
		}(req)
	}
	running.Wait()
	return scanner.Err()
}

func authenticate(tokenAuthenticator authenticator.Token, req webhookRequest) webhookAnswer {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if len(req.Audiences) > 0 {
		ctx = authenticator.WithAudiences(ctx, req.Audiences)
	}
	response, ok, err := tokenAuthenticator.AuthenticateToken(ctx, req.Token)
	result := webhookAnswer{ID: req.ID, Authenticated: ok}
	if err != nil {
		result.Error = err.Error()
	}
	if ok && response != nil && response.User != nil {
		u := response.User
		extra := map[string][]string{}
		for k, v := range u.GetExtra() {
			extra[k] = v
		}
		groups := u.GetGroups()
		if groups == nil {
			groups = []string{}
		}
		result.User = &userInfo{Username: u.GetName(), UID: u.GetUID(), Groups: groups, Extra: extra}
		result.Audiences = response.Audiences
	}
	return result
}
