package cli

import (
	"errors"
	"fmt"
	"time"

	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/platform"
)

// ConnFlags are the connection settings shared by every command that talks
// to a broker. Each has an MQDECK_* variable and a profile key.
type ConnFlags struct {
	Broker      string `help:"Broker URL: mqtt://, mqtts:// (ssl://, tls://), ws://, wss://host:port/path." default:"mqtt://127.0.0.1:1883" env:"MQDECK_BROKER" placeholder:"URL" group:"Connection"`
	MQTTVersion string `name:"mqtt-version" help:"MQTT protocol: 5, 3.1.1, or auto (5 first, 3.1.1 when refused)." enum:"5,3.1.1,auto" default:"auto" env:"MQDECK_MQTT_VERSION" group:"Connection"`
	ClientID    string `name:"client-id" help:"Client identifier (generated when empty)." env:"MQDECK_CLIENT_ID" placeholder:"ID" group:"Connection"`

	Username     string        `help:"User name." env:"MQDECK_USERNAME" placeholder:"NAME" group:"Authentication"`
	PasswordEnv  string        `name:"password-env" help:"Read the password from this environment variable (MQDECK_PASSWORD is used when set and nothing else is given)." env:"MQDECK_PASSWORD_ENV" placeholder:"VAR" group:"Authentication"`
	PasswordFile string        `name:"password-file" help:"Read the password from this file (first line)." type:"path" env:"MQDECK_PASSWORD_FILE" placeholder:"FILE" group:"Authentication"`
	TokenEnv     string        `name:"token-env" help:"Read an access token from this environment variable and send it as the user name (Drogue Cloud OAuth2)." env:"MQDECK_TOKEN_ENV" placeholder:"VAR" group:"Authentication"`
	TokenFile    string        `name:"token-file" help:"Read an access token from this file (first line) before every connection attempt and send it as the user name." type:"path" env:"MQDECK_TOKEN_FILE" placeholder:"FILE" group:"Authentication"`
	TokenCommand string        `name:"token-command" help:"Run this command before every connection attempt; the first line it prints is the access token, sent as the user name. No shell: quote words with '...' or \"...\", or write sh -c '...'." env:"MQDECK_TOKEN_COMMAND" placeholder:"CMD" group:"Authentication"`
	TokenTimeout time.Duration `name:"token-command-timeout" help:"Give up a --token-command after this long (the attempt is retried with back-off)." default:"10s" env:"MQDECK_TOKEN_COMMAND_TIMEOUT" group:"Authentication"`

	CACert   string `name:"cacert" help:"CA certificates (PEM) to verify the broker." type:"path" env:"MQDECK_CACERT" placeholder:"FILE" group:"TLS"`
	Cert     string `help:"Client certificate (PEM), e.g. for DRIVR." type:"path" env:"MQDECK_CERT" placeholder:"FILE" group:"TLS"`
	Key      string `help:"Client private key (PEM) for --cert." type:"path" env:"MQDECK_KEY" placeholder:"FILE" group:"TLS"`
	Insecure bool   `help:"Do not verify the broker's certificate (unsafe; a warning stays visible)." env:"MQDECK_INSECURE" group:"TLS"`

	KeepAlive      time.Duration `name:"keepalive" help:"Keepalive interval." default:"30s" env:"MQDECK_KEEPALIVE" group:"Session"`
	ConnectTimeout time.Duration `name:"connect-timeout" help:"Give up the first connection after this long." default:"10s" env:"MQDECK_CONNECT_TIMEOUT" group:"Session"`
	CleanStart     bool          `name:"clean-start" help:"Start a clean session (--no-clean-start resumes a persistent one; use with --client-id and --session-expiry)." default:"true" negatable:"" env:"MQDECK_CLEAN_START" group:"Session"`
	SessionExpiry  time.Duration `name:"session-expiry" help:"MQTT 5 session expiry, e.g. 1h (0: ends with the connection)." default:"0s" env:"MQDECK_SESSION_EXPIRY" group:"Session"`
	BackoffMax     time.Duration `name:"backoff-max" help:"Longest wait between reconnection attempts." default:"30s" env:"MQDECK_BACKOFF_MAX" group:"Session"`
	QoS            int           `name:"qos" help:"QoS of the subscriptions: 0, 1 or 2." enum:"0,1,2" default:"0" env:"MQDECK_QOS" group:"Session"`
	Buffer         int           `help:"Messages buffered between the network and mqdeck; when full, the network waits." default:"65536" env:"MQDECK_BUFFER" placeholder:"N" group:"Session"`
	DropAfter      time.Duration `name:"drop-after" help:"Drop (and count) QoS 0 messages only when mqdeck's output has taken nothing for this long, e.g. a stopped pager (0: half the keepalive)." default:"0s" env:"MQDECK_DROP_AFTER" group:"Session"`
	WillTopic      string        `name:"will-topic" help:"Will message topic for mqdeck's own connection." env:"MQDECK_WILL_TOPIC" placeholder:"TOPIC" group:"Session"`
	WillPayload    string        `name:"will-payload" help:"Will message payload." env:"MQDECK_WILL_PAYLOAD" placeholder:"TEXT" group:"Session"`
	ReadOnly       bool          `name:"readonly" help:"Never publish anything (enforced by the transport)." env:"MQDECK_READONLY" group:"Session"`
}

// PlatformFlags select the platform's topic grammar and its parameters.
type PlatformFlags struct {
	Platform string   `help:"Platform whose topics to subscribe to and name: drivr, drogue, devapi, smartworks, generic." enum:"${platform_choices}" default:"${platform_default}" env:"MQDECK_PLATFORM" group:"Platform"`
	Slug     string   `help:"DRIVR domain slug, e.g. company-example." env:"MQDECK_SLUG" placeholder:"SLUG" group:"Platform"`
	App      []string `help:"Drogue Cloud application (repeatable)." env:"MQDECK_APP" placeholder:"APP" group:"Platform"`
	Account  string   `help:"SmartWorks account." env:"MQDECK_ACCOUNT" placeholder:"ACCOUNT" group:"Platform"`
	Device   string   `help:"Device API: watch this one device (device mode) instead of the fleet." env:"MQDECK_DEVICE" placeholder:"ID" group:"Platform"`
	CEMode   string   `name:"ce-mode" help:"Drogue Cloud on MQTT 5: ask for binary or structured CloudEvents." enum:",binary,structured" default:"" env:"MQDECK_CE_MODE" group:"Platform"`
	Topic    []string `help:"Topic filter to subscribe to (repeatable; default: the platform's filters, # for generic)." sep:"none" env:"MQDECK_TOPIC" placeholder:"FILTER" group:"Platform"`
}

// params turns the flags into the platform's parameters.
func (p *PlatformFlags) params(qos int) platform.Params {
	return platform.Params{
		Slug:    p.Slug,
		Apps:    p.App,
		Account: p.Account,
		Device:  p.Device,
		CEMode:  p.CEMode,
		Filters: p.Topic,
		QoS:     byte(qos),
	}
}

// options builds the transport options. Its Credentials (a *creds.Provider)
// read the password and token before every connection attempt.
func (c *ConnFlags) options(warn func(string)) (mqttconn.Options, error) {
	o := mqttconn.Options{
		Broker:         c.Broker,
		Protocol:       mqttconn.Protocol(c.MQTTVersion),
		ClientID:       c.ClientID,
		Username:       c.Username,
		CACert:         c.CACert,
		Cert:           c.Cert,
		Key:            c.Key,
		Insecure:       c.Insecure,
		KeepAlive:      c.KeepAlive,
		ConnectTimeout: c.ConnectTimeout,
		CleanStart:     c.CleanStart,
		SessionExpiry:  c.SessionExpiry,
		BackoffMax:     c.BackoffMax,
		BufferSize:     c.Buffer,
		DropAfter:      c.DropAfter,
		ReadOnly:       c.ReadOnly,
	}
	if (c.Cert == "") != (c.Key == "") {
		return o, usageError{errors.New("--cert and --key go together")}
	}
	if c.ConnectTimeout <= 0 || c.KeepAlive < 0 || c.SessionExpiry < 0 || c.BackoffMax < 0 || c.DropAfter < 0 {
		return o, usageError{errors.New("--connect-timeout must be positive; --keepalive, --session-expiry, --backoff-max and --drop-after not negative")}
	}
	if c.Buffer <= 0 {
		return o, usageError{fmt.Errorf("--buffer must be positive, got %d", c.Buffer)}
	}
	p, err := c.provider(warn)
	if err != nil {
		return o, err
	}
	o.Credentials = p
	if c.WillTopic != "" {
		o.Will = &mqttconn.PublishRequest{Topic: c.WillTopic, Payload: []byte(c.WillPayload), QoS: 1}
	} else if c.WillPayload != "" {
		return o, usageError{errors.New("--will-payload needs --will-topic")}
	}
	return o, nil
}
