package mqttconn

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// DefaultBroker is where mqdeck connects when no broker is given.
const DefaultBroker = "mqtt://127.0.0.1:1883"

// BrokerURL is a parsed broker address. It never holds credentials.
type BrokerURL struct {
	Scheme string // normalised: "mqtt", "mqtts", "ws" or "wss"
	Host   string // name or IP, without brackets
	Port   int
	Path   string // websocket path (default /mqtt); "" for mqtt/mqtts
	query  string // websocket query, sent but never displayed (it may hold a token)
}

// TLS reports whether the connection is encrypted.
func (b BrokerURL) TLS() bool { return b.Scheme == "mqtts" || b.Scheme == "wss" }

// Websocket reports whether MQTT runs over websockets.
func (b BrokerURL) Websocket() bool { return b.Scheme == "ws" || b.Scheme == "wss" }

// Addr is host:port for dialing.
func (b BrokerURL) Addr() string { return net.JoinHostPort(b.Host, strconv.Itoa(b.Port)) }

// String is the URL for display: scheme, host, port and path; no user
// information and no query.
func (b BrokerURL) String() string { return b.Scheme + "://" + b.Addr() + b.Path }

// dialURL is the websocket URL actually requested (with its query).
func (b BrokerURL) dialURL() string {
	scheme := "ws"
	if b.Scheme == "wss" {
		scheme = "wss"
	}
	u := scheme + "://" + b.Addr() + b.Path
	if b.query != "" {
		u += "?" + b.query
	}
	return u
}

// ErrCredentialsInURL refuses broker URLs with user information: a secret
// on the command line ends up in shell history and process listings.
var ErrCredentialsInURL = errors.New("broker URL must not carry a user name or password: use --username and the password from an environment variable or file")

// ParseBroker parses a broker address: mqtt://, mqtts:// (also ssl://,
// tls://), tcp:// (as mqtt), ws://, wss:// with an optional path, or a bare
// host[:port] meaning mqtt. Missing ports default per scheme (1883, 8883,
// 80, 443); websockets default to the path /mqtt. Error messages never
// repeat the URL, which may hold a secret.
func ParseBroker(raw string) (BrokerURL, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		raw = DefaultBroker
	}
	if !strings.Contains(raw, "://") {
		raw = "mqtt://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return BrokerURL{}, errors.New("broker URL is not a valid URL")
	}
	if u.User != nil {
		return BrokerURL{}, ErrCredentialsInURL
	}
	var b BrokerURL
	var port int
	switch strings.ToLower(u.Scheme) {
	case "mqtt", "tcp":
		b.Scheme, port = "mqtt", 1883
	case "mqtts", "ssl", "tls", "tcps", "mqtt+ssl":
		b.Scheme, port = "mqtts", 8883
	case "ws":
		b.Scheme, port = "ws", 80
	case "wss":
		b.Scheme, port = "wss", 443
	default:
		return BrokerURL{}, fmt.Errorf("broker URL scheme %q not supported: use mqtt://, mqtts://, ws:// or wss://", u.Scheme)
	}
	b.Host = u.Hostname()
	if b.Host == "" {
		return BrokerURL{}, errors.New("broker URL has no host")
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return BrokerURL{}, fmt.Errorf("broker URL port %q out of range", p)
		}
		port = n
	}
	b.Port = port
	if b.Websocket() {
		b.Path = u.EscapedPath()
		if b.Path == "" {
			b.Path = "/mqtt"
		}
		b.query = u.RawQuery
	} else if p := u.Path; p != "" && p != "/" {
		return BrokerURL{}, fmt.Errorf("a path (%s) only makes sense for ws:// and wss:// brokers", p)
	}
	return b, nil
}
