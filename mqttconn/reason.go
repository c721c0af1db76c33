package mqttconn

import "fmt"

// ReasonName is the MQTT 5 name of a reason code ("not authorized").
func ReasonName(code byte) string {
	switch code {
	case 0x00:
		return "success"
	case 0x01:
		return "granted QoS 1"
	case 0x02:
		return "granted QoS 2"
	case 0x04:
		return "disconnect with will message"
	case 0x10:
		return "no matching subscribers"
	case 0x11:
		return "no subscription existed"
	case 0x18:
		return "continue authentication"
	case 0x19:
		return "re-authenticate"
	case 0x80:
		return "unspecified error"
	case 0x81:
		return "malformed packet"
	case 0x82:
		return "protocol error"
	case 0x83:
		return "implementation specific error"
	case 0x84:
		return "unsupported protocol version"
	case 0x85:
		return "client identifier not valid"
	case 0x86:
		return "bad user name or password"
	case 0x87:
		return "not authorized"
	case 0x88:
		return "server unavailable"
	case 0x89:
		return "server busy"
	case 0x8A:
		return "banned"
	case 0x8B:
		return "server shutting down"
	case 0x8C:
		return "bad authentication method"
	case 0x8D:
		return "keep alive timeout"
	case 0x8E:
		return "session taken over"
	case 0x8F:
		return "topic filter invalid"
	case 0x90:
		return "topic name invalid"
	case 0x91:
		return "packet identifier in use"
	case 0x92:
		return "packet identifier not found"
	case 0x93:
		return "receive maximum exceeded"
	case 0x94:
		return "topic alias invalid"
	case 0x95:
		return "packet too large"
	case 0x96:
		return "message rate too high"
	case 0x97:
		return "quota exceeded"
	case 0x98:
		return "administrative action"
	case 0x99:
		return "payload format invalid"
	case 0x9A:
		return "retain not supported"
	case 0x9B:
		return "QoS not supported"
	case 0x9C:
		return "use another server"
	case 0x9D:
		return "server moved"
	case 0x9E:
		return "shared subscriptions not supported"
	case 0x9F:
		return "connection rate exceeded"
	case 0xA0:
		return "maximum connect time"
	case 0xA1:
		return "subscription identifiers not supported"
	case 0xA2:
		return "wildcard subscriptions not supported"
	}
	return "reason code"
}

// ReasonText is the name with the code: "not authorized (0x87)".
func ReasonText(code byte) string { return fmt.Sprintf("%s (0x%02X)", ReasonName(code), code) }

// AckReasonText names the reason code of a PUBACK, PUBREC or PUBCOMP. The
// codes 0x01 and 0x02 mean "granted QoS" only in a SUBACK: a broker that
// puts one in a publish acknowledgement broke the protocol, and saying
// "granted QoS 1" would state something the broker never meant.
func AckReasonText(code byte) string {
	switch code {
	case 0x00, 0x10, 0x80, 0x83, 0x87, 0x90, 0x91, 0x92, 0x97, 0x99:
		return ReasonText(code)
	}
	return fmt.Sprintf("reason code 0x%02X, not valid in a publish acknowledgement", code)
}

// subackCode reads one SUBACK code: 0x00-0x02 grant that QoS, 0x80 and up
// refuse (reason is the broker's reason string, if any); 0x03-0x7F are
// neither, so they are an error, never a granted QoS.
func subackCode(code byte, reason string) (granted byte, err error) {
	switch {
	case code <= 0x02:
		return code, nil
	case code < 0x80:
		return 0, &SubscribeError{Code: code}
	}
	return 0, &SubscribeError{Code: code, Reason: reason}
}

// connackV3Name names an MQTT 3.1.1 CONNACK return code.
func connackV3Name(code byte) string {
	switch code {
	case 0:
		return "connection accepted"
	case 1:
		return "unacceptable protocol version"
	case 2:
		return "identifier rejected"
	case 3:
		return "server unavailable"
	case 4:
		return "bad user name or password"
	case 5:
		return "not authorized"
	}
	return "unknown return code"
}

// SubscribeError is a filter the broker refused in its SUBACK, or answered
// with a code a SUBACK cannot carry (0x03-0x7F: a protocol error).
type SubscribeError struct {
	Code   byte   // MQTT 5 reason code, or 0x80 (failure) on 3.1.1
	Reason string // the broker's reason string, if any (terminal-unsafe)
}

func (e *SubscribeError) Error() string {
	if e.Code < 0x80 {
		return fmt.Sprintf("the broker broke the protocol: its SUBACK answered reason code 0x%02X, which grants no QoS (0x00-0x02) and refuses nothing (0x80 and up); whether the filter is subscribed is unknown", e.Code)
	}
	s := ReasonText(e.Code)
	if e.Reason != "" {
		s += ": " + oneLine(e.Reason)
	}
	return s
}
