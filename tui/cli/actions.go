package cli

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"

	"github.com/mqdeck/mqdeck/mqttconn/platform"
	"github.com/mqdeck/mqdeck/tui/actions"
	"github.com/mqdeck/mqdeck/tui/console"
)

// ActionFlags configure the operator actions of the console and the demo.
// Each has a profile key (operator, audit, access_key_env, ...); secrets are
// named by variable or file, never given.
type ActionFlags struct {
	Operator         string `help:"Name the audit records with each action (default: $USER)." env:"MQDECK_OPERATOR" placeholder:"NAME" group:"Actions"`
	Audit            string `help:"Append one JSON line per action and outcome to FILE (payload digest, never a secret)." type:"path" env:"MQDECK_AUDIT" placeholder:"FILE" group:"Actions"`
	AccessKeyEnv     string `name:"access-key-env" help:"Device API: read the access key of snapshot requests from this environment variable." env:"MQDECK_ACCESS_KEY_ENV" placeholder:"VAR" group:"Actions"`
	AccessKeyFile    string `name:"access-key-file" help:"Device API: read the access key from this file." type:"path" env:"MQDECK_ACCESS_KEY_FILE" placeholder:"FILE" group:"Actions"`
	GraphQLEndpoint  string `name:"graphql-endpoint" help:"DRIVR GraphQL endpoint (https): the key a on an event acknowledges it there." env:"MQDECK_GRAPHQL_ENDPOINT" placeholder:"URL" group:"Actions"`
	GraphQLTokenEnv  string `name:"graphql-token-env" help:"Read the GraphQL bearer token from this environment variable." env:"MQDECK_GRAPHQL_TOKEN_ENV" placeholder:"VAR" group:"Actions"`
	GraphQLTokenFile string `name:"graphql-token-file" help:"Read the GraphQL bearer token from this file." type:"path" env:"MQDECK_GRAPHQL_TOKEN_FILE" placeholder:"FILE" group:"Actions"`
}

// actions builds the console's action settings. The GraphQL token is read
// here, once, so a missing one is a clear error before the screen is taken.
func (a *ActionFlags) actions(loaded *loadedConfig, pub console.Publisher, plat string, params platform.Params, readOnly bool) (console.Actions, error) {
	act := console.Actions{
		Publisher: pub,
		Platform:  plat,
		Params:    params,
		ReadOnly:  readOnly,
		AccessKey: actions.Secret{Env: a.AccessKeyEnv, File: a.AccessKeyFile},
		Operator:  a.Operator,
		AuditPath: a.Audit,
		Templates: loaded.templates,
	}
	tok := actions.Secret{Env: a.GraphQLTokenEnv, File: a.GraphQLTokenFile}
	if a.GraphQLEndpoint == "" && !tok.Configured() {
		return act, nil
	}
	if a.GraphQLEndpoint == "" {
		return act, usageError{errors.New("--graphql-token-env/--graphql-token-file need --graphql-endpoint")}
	}
	if err := checkEndpoint(a.GraphQLEndpoint); err != nil {
		return act, usageError{err}
	}
	if !tok.Configured() {
		return act, usageError{errors.New("--graphql-endpoint needs --graphql-token-env or --graphql-token-file")}
	}
	v, err := tok.Load()
	if err != nil {
		return act, usageError{fmt.Errorf("GraphQL token: %w", err)}
	}
	act.Ack = actions.AckClient{Endpoint: a.GraphQLEndpoint, Token: v}
	return act, nil
}

// checkEndpoint wants https: the bearer token must not cross a network in
// clear. Plain http is accepted on loopback only (a local proxy, tests).
func checkEndpoint(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return fmt.Errorf("--graphql-endpoint %q is not a URL", raw)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		host := u.Hostname()
		if ip := net.ParseIP(host); host == "localhost" || ip != nil && ip.IsLoopback() {
			return nil
		}
	}
	return errors.New("--graphql-endpoint must be https (http only on loopback): the bearer token would travel in clear")
}

// checkTemplates validates the [[templates]] of the configuration file.
func checkTemplates(file string, ts actions.Templates) error {
	seen := map[string]string{}
	for _, t := range ts {
		if err := t.Validate(); err != nil {
			return fmt.Errorf("configuration file %s: %w", file, err)
		}
		k := t.Platform + "/" + strings.ToLower(t.Key)
		if prev, dup := seen[k]; dup {
			return fmt.Errorf("configuration file %s: templates %q and %q share key %s", file, prev, t.Name, t.Key)
		}
		seen[k] = t.Name
	}
	return nil
}
