package mqttconn

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode"

	"github.com/eclipse/paho.golang/autopaho"
	"github.com/gorilla/websocket"
)

// What a first connection can fail on. A *ConnectError wraps exactly one.
var (
	ErrRefused             = errors.New("connection refused")
	ErrUnreachable         = errors.New("broker unreachable")
	ErrTimeout             = errors.New("timed out")
	ErrTLSVerify           = errors.New("TLS verification failed")
	ErrTLSHandshake        = errors.New("TLS handshake failed")
	ErrBadClientCert       = errors.New("bad client certificate")
	ErrNotAuthorized       = errors.New("not authorized")
	ErrUnsupportedProtocol = errors.New("unsupported protocol")
	ErrHandshake           = errors.New("MQTT handshake failed")
	ErrNotMQTT             = errors.New("the peer does not speak MQTT")
)

// Publish outcomes that carry a sentinel in PublishResult.Err.
var (
	ErrOffline      = errors.New("not connected: nothing was sent")
	ErrReadOnly     = errors.New("read-only: the transport refuses to publish")
	ErrPropsDropped = errors.New("MQTT 3.1.1 has no properties: they were not sent")
)

// ConnectError says in one line why connecting failed.
type ConnectError struct {
	Kind   error  // one of the Err... sentinels above
	Broker string // display URL, no credentials
	Detail string // what exactly, with a hint where one helps
	Err    error  // the underlying error
	// closedEarly: the broker hung up during the MQTT handshake, which is how
	// some 3.1.1-only brokers answer an MQTT 5 CONNECT.
	closedEarly bool
}

func (e *ConnectError) Error() string {
	return e.Broker + ": " + e.Kind.Error() + ": " + oneLine(e.Detail)
}

// Unwrap gives both the kind (errors.Is(err, ErrNotAuthorized)) and the cause.
func (e *ConnectError) Unwrap() []error { return []error{e.Kind, e.Err} }

// Describe renders any error from this package as one terminal-safe line.
func Describe(err error) string {
	if err == nil {
		return ""
	}
	return oneLine(err.Error())
}

// oneLine drops control characters, bidi controls and line breaks: broker
// reason strings and TLS errors are shown to an operator verbatim otherwise.
func oneLine(s string) string {
	clean := true
	for _, r := range s {
		if unicode.IsControl(r) || isBidi(r) || r == unicode.ReplacementChar {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			b.WriteByte(' ')
		case unicode.IsControl(r) || isBidi(r):
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isBidi(r rune) bool {
	return (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069) || r == 0x200E || r == 0x200F || r == 0x061C
}

// connackError is a refusal in CONNACK, from either protocol.
type connackError struct {
	code   byte
	v3     bool   // 3.1.1 return code rather than MQTT 5 reason code
	reason string // MQTT 5 reason string
}

func (e *connackError) Error() string {
	if e.v3 {
		return fmt.Sprintf("CONNACK return code %d (%s)", e.code, connackV3Name(e.code))
	}
	return "CONNACK " + ReasonText(e.code)
}

// notMQTTError is a peer whose first bytes are not a CONNACK.
type notMQTTError struct{ first []byte }

func (e *notMQTTError) Error() string {
	b := e.first
	var looks string
	switch {
	case bytes.HasPrefix(b, []byte("HTTP/")):
		looks = "an HTTP server"
	case bytes.HasPrefix(b, []byte("SSH-")):
		looks = "an SSH server"
	case len(b) >= 2 && (b[0] == 0x15 || b[0] == 0x16) && b[1] == 0x03:
		looks = "a TLS server (try mqtts://)"
	default:
		return fmt.Sprintf("it answered the CONNECT with % X, not a CONNACK (is this the broker's port?)", b[:min(len(b), 8)])
	}
	s := "it answered like " + looks
	if line, _, _ := bytes.Cut(b, []byte("\n")); looks != "a TLS server (try mqtts://)" && len(line) > 0 {
		s += ": " + strconv.Quote(strings.TrimSpace(string(line)))
	}
	return s
}

// dialError marks failures before any MQTT byte was exchanged.
type dialError struct {
	err error
	tls bool // the TLS handshake was part of the dial
}

func (e *dialError) Error() string { return e.err.Error() }
func (e *dialError) Unwrap() error { return e.err }

// classify turns a failed connection attempt into a ConnectError.
func classify(err error, o *Options, broker string, timeout time.Duration) *ConnectError {
	var ce *ConnectError
	if errors.As(err, &ce) {
		return ce
	}
	e := &ConnectError{Broker: broker, Err: err}
	var (
		cack    *connackError
		apCack  *autopaho.ConnackError
		dnsErr  *net.DNSError
		unknown x509.UnknownAuthorityError
		invalid x509.CertificateInvalidError
		host    x509.HostnameError
		recHdr  tls.RecordHeaderError
		dErr    *dialError
	)
	var notMQTT *notMQTTError
	switch {
	case errors.As(err, &notMQTT):
		e.Kind, e.Detail = ErrNotMQTT, notMQTT.Error()
	case errors.As(err, &cack):
		classifyConnack(e, cack.code, cack.v3, cack.reason)
	case errors.As(err, &apCack):
		classifyConnack(e, apCack.ReasonCode, false, apCack.Reason)
	case errors.Is(err, syscall.ECONNREFUSED):
		e.Kind, e.Detail = ErrRefused, "nothing accepts connections on that port (is the broker running?)"
	case errors.As(err, &dnsErr):
		e.Kind, e.Detail = ErrUnreachable, "cannot resolve host "+dnsErr.Name
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		e.Kind, e.Detail = ErrUnreachable, "no route to the broker"
	case errors.As(err, &unknown):
		e.Kind, e.Detail = ErrTLSVerify, "server certificate signed by an unknown authority (give the broker's CA with --cacert)"
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		e.Kind, e.Detail = ErrTLSVerify, "server certificate expired or not yet valid: "+strings.TrimPrefix(invalid.Error(), "x509: ")
	case errors.As(err, &invalid):
		e.Kind, e.Detail = ErrTLSVerify, "server certificate invalid: "+strings.TrimPrefix(invalid.Error(), "x509: ")
	case errors.As(err, &host):
		e.Kind, e.Detail = ErrTLSVerify, "server certificate does not match the host name: "+strings.TrimPrefix(host.Error(), "x509: ")
	case errors.As(err, &recHdr):
		e.Kind, e.Detail = ErrTLSHandshake, "the broker did not answer in TLS (is this a plain mqtt:// or ws:// port?)"
	case strings.Contains(err.Error(), "remote error: tls: "):
		classifyAlert(e, err, o)
	case errors.Is(err, websocket.ErrBadHandshake):
		e.Kind, e.Detail = ErrHandshake, "websocket upgrade refused: "+err.Error()
	case isTimeout(err):
		e.Kind, e.Detail = ErrTimeout, fmt.Sprintf("no answer within %s", timeout)
	case errors.As(err, &dErr) && dErr.tls && isClosed(err):
		e.Kind, e.Detail = ErrTLSHandshake, "the broker hung up during the TLS handshake (is this a plain mqtt:// or ws:// port?)"
	case errors.As(err, &dErr):
		e.Kind, e.Detail = ErrUnreachable, dErr.err.Error()
	case isClosed(err):
		e.Kind, e.closedEarly = ErrHandshake, true
		e.Detail = "the broker closed the connection during the MQTT handshake"
	default:
		e.Kind, e.Detail = ErrHandshake, err.Error()
	}
	return e
}

func classifyConnack(e *ConnectError, code byte, v3 bool, reason string) {
	name := ReasonText(code)
	if v3 {
		name = fmt.Sprintf("%s (return code %d)", connackV3Name(code), code)
	}
	if reason != "" {
		name += ": " + reason
	}
	switch {
	case v3 && (code == 4 || code == 5), !v3 && (code == 0x86 || code == 0x87 || code == 0x8A || code == 0x8C):
		e.Kind, e.Detail = ErrNotAuthorized, "broker refused the credentials: "+name
	case v3 && code == 1, !v3 && code == 0x84:
		e.Kind, e.Detail = ErrUnsupportedProtocol, "broker refused the MQTT version: "+name
	default:
		e.Kind, e.Detail = ErrHandshake, "broker refused the connection: "+name
	}
}

// classifyAlert reads a TLS alert from the broker. In TLS 1.3 the client's
// handshake completes before the server checks the client certificate, so
// the refusal arrives as an alert on the first read.
func classifyAlert(e *ConnectError, err error, o *Options) {
	msg := err.Error()
	alert := msg[strings.Index(msg, "remote error: tls: ")+len("remote error: "):]
	hint := "the broker does not accept this client certificate"
	if o.Cert == "" {
		hint = "the broker requires a client certificate: give --cert and --key"
	}
	switch {
	// Go names these alerts "bad certificate", "expired certificate",
	// "unknown certificate authority", "certificate required", ...
	case strings.Contains(alert, "certificate"), strings.Contains(alert, "access denied"):
		e.Kind, e.Detail = ErrBadClientCert, hint+" ("+alert+")"
	case strings.Contains(alert, "handshake failure") && o.Cert == "":
		e.Kind, e.Detail = ErrBadClientCert, hint+" ("+alert+")"
	default:
		e.Kind, e.Detail = ErrTLSHandshake, "the broker ended the TLS handshake ("+alert+")"
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.Is(err, syscall.ETIMEDOUT) ||
		(errors.As(err, &ne) && ne.Timeout())
}

func isClosed(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, net.ErrClosed) || strings.Contains(err.Error(), "connection reset by peer")
}
