package actions

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// FieldError says which form field is wrong and why, so the form can put the
// message under the right input.
type FieldError struct {
	Field string
	Err   error
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Err.Error() }
func (e *FieldError) Unwrap() error { return e.Err }

// FieldErr blames a field of the form for err.
func FieldErr(field string, err error) error { return &FieldError{Field: field, Err: err} }

// Validation sentinels; errors.Is works through FieldError.
var (
	ErrEmpty       = errors.New("must not be empty")
	ErrWildcard    = errors.New("wildcards + and # are not allowed in a publish topic")
	ErrReadOnly    = errors.New("read-only: publishing is disabled")
	ErrBadQoS      = errors.New("QoS must be 0, 1 or 2")
	ErrUnsupported = errors.New("not supported on this platform")
)

// maxTopic is the MQTT limit on a topic's UTF-8 length.
const maxTopic = 65535

// ValidateTopic checks a topic a publish may use.
func ValidateTopic(topic string) error {
	switch {
	case topic == "":
		return ErrEmpty
	case len(topic) > maxTopic:
		return fmt.Errorf("topic is %d bytes, the limit is %d", len(topic), maxTopic)
	case !utf8.ValidString(topic):
		return errors.New("topic is not valid UTF-8")
	case strings.ContainsAny(topic, "+#"):
		return ErrWildcard
	case strings.ContainsRune(topic, 0):
		return errors.New("topic contains a NUL character")
	case strings.HasPrefix(topic, "$"):
		return errors.New("topics starting with $ are reserved for the broker")
	}
	return nil
}

// ValidateSegment checks one value that becomes a single topic level (a
// uuid, a device id, a command name).
func ValidateSegment(s string) error {
	switch {
	case strings.TrimSpace(s) == "":
		return ErrEmpty
	case strings.Contains(s, "/"):
		return errors.New("must not contain /")
	case strings.ContainsAny(s, "+#"):
		return ErrWildcard
	case !utf8.ValidString(s) || strings.ContainsRune(s, 0):
		return errors.New("contains invalid characters")
	}
	return nil
}

// ValidateJSON checks that text is one JSON document and reports where it
// goes wrong (byte offset, line and column).
func ValidateJSON(text []byte) error {
	if len(bytes.TrimSpace(text)) == 0 {
		return ErrEmpty
	}
	dec := json.NewDecoder(bytes.NewReader(text))
	var v json.RawMessage
	if err := dec.Decode(&v); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			// Offset counts the bytes read, the offending one included.
			return jsonPosErr(text, se.Offset-1, se.Error())
		}
		// io.ErrUnexpectedEOF and friends: the document ended early.
		return jsonPosErr(text, int64(len(text)), "unexpected end of JSON")
	}
	off := dec.InputOffset()
	rest := text[off:]
	if trimmed := bytes.TrimLeft(rest, " \t\r\n"); len(trimmed) > 0 {
		return jsonPosErr(text, off+int64(len(rest)-len(trimmed)), "extra data after the JSON document")
	}
	return nil
}

// ValidateJSONObject checks that text is a JSON object (DRIVR metadata,
// command parameters).
func ValidateJSONObject(text []byte) error {
	if err := ValidateJSON(text); err != nil {
		return err
	}
	if t := bytes.TrimSpace(text); t[0] != '{' {
		return errors.New("must be a JSON object {...}")
	}
	return nil
}

func jsonPosErr(text []byte, off int64, msg string) error {
	if off < 0 {
		off = 0
	}
	if off > int64(len(text)) {
		off = int64(len(text))
	}
	line, col := 1, 1
	for _, c := range text[:off] {
		if c == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return fmt.Errorf("invalid JSON at offset %d (line %d, column %d): %s", off, line, col, msg)
}

// ParseTime reads a time an operator typed: RFC 3339 with or without
// fractions, or "now". Empty gives the zero time.
func ParseTime(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	switch strings.ToLower(s) {
	case "":
		return time.Time{}, nil
	case "now":
		return now, nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("want RFC 3339 time like 2025-05-09T13:28:42Z or \"now\": %q", s)
	}
	return t, nil
}

// ParseQoS reads "0", "1" or "2".
func ParseQoS(s string) (byte, error) {
	switch strings.TrimSpace(s) {
	case "0", "":
		return 0, nil
	case "1":
		return 1, nil
	case "2":
		return 2, nil
	}
	return 0, ErrBadQoS
}

// ParseBool reads yes/no answers from a form field.
func ParseBool(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "n", "no", "false", "0", "off":
		return false, nil
	case "y", "yes", "true", "1", "on":
		return true, nil
	}
	return false, fmt.Errorf("want yes or no, got %q", s)
}
