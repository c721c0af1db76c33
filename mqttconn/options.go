package mqttconn

import "time"

// Protocol selects the MQTT version.
type Protocol string

const (
	ProtocolAuto Protocol = "auto"
	Protocol5    Protocol = "5"
	Protocol311  Protocol = "3.1.1"
)

// Options configures a Client. Secrets are never logged or shown. They
// come from Credentials, asked before every connection attempt, or else
// from Username and Password, read once by the caller.
type Options struct {
	Broker   string // mqtt://, mqtts://, ssl://, tls://, ws://, wss://; default mqtt://127.0.0.1:1883
	Protocol Protocol
	ClientID string // generated when empty

	Username string
	Password string // secret
	// Credentials, when set, replaces Username and Password: it is read
	// before every attempt, so rotated secrets are used without a restart.
	Credentials CredentialSource

	// TLS files are read again at every connection attempt: a certificate
	// and key renewed on disk are used at the next attempt.
	CACert   string // PEM file
	Cert     string // client certificate PEM file
	Key      string // client key PEM file
	Insecure bool   // skip server verification (the UI keeps warning)

	KeepAlive      time.Duration // default 30s
	ConnectTimeout time.Duration // default 10s
	CleanStart     bool          // MQTT 5 clean start / 3.1.1 clean session
	SessionExpiry  time.Duration // MQTT 5 only
	BackoffMax     time.Duration // reconnect back-off cap, default 30s

	Subscriptions []Subscription
	BufferSize    int // Messages() capacity, default 65536
	// DropAfter: a full buffer makes the network wait; only when the
	// consumer has taken nothing for this long are QoS 0 messages dropped
	// (counted). Default KeepAlive/2.
	DropAfter time.Duration

	Will *PublishRequest // the console's own will message, optional

	ReadOnly bool // Publish refuses with OutcomeReadOnly

	// OnState and OnSubscribe are called from the client's goroutines.
	// They must not block: hand off with a non-blocking send.
	OnState     func(State)
	OnSubscribe func([]SubResult)
}
