// Package record writes received messages as JSON lines and plays them back
// with their original timing, so a session can be replayed through the same
// pipeline without a broker.
//
// One line per message:
//
//	{"time":"2025-05-09T13:28:42.611276Z","topic":"a/b","qos":1,"retain":false,
//	 "payload":"ACTIVE","props":{"contentType":"text/plain","user":[["k","v"]]}}
//
// The payload is written as text when it is valid UTF-8, else base64 under
// payload_b64 (the same for correlation data and, rarely, the topic). These
// are the field names `mqdeck log` prints, so its output replays too.
// Nothing about the connection (broker, user, password) is ever written, and
// user properties that carry credentials (the device API's access_key, for
// one) are masked.
package record

import (
	"bufio"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/platform"
)

// Redacted replaces the value of a user property that carries a credential.
const Redacted = "[redacted]"

// flushEvery bounds how stale the file may be behind the messages written,
// so a crash loses at most about this much of a recording.
const flushEvery = time.Second

// Line is the on-disk form of one message.
type Line struct {
	Time       string     `json:"time"`
	Topic      string     `json:"topic,omitempty"`
	TopicB64   string     `json:"topic_b64,omitempty"`
	QoS        byte       `json:"qos"`
	Retain     bool       `json:"retain"`
	Dup        bool       `json:"dup,omitempty"`
	Payload    *string    `json:"payload,omitempty"`
	PayloadB64 *string    `json:"payload_b64,omitempty"`
	Props      *LineProps `json:"props,omitempty"`
}

// LineProps is the on-disk form of MQTT 5 properties.
type LineProps struct {
	ContentType        string      `json:"contentType,omitempty"`
	PayloadFormat      *byte       `json:"payloadFormat,omitempty"`
	ResponseTopic      string      `json:"responseTopic,omitempty"`
	CorrelationData    *string     `json:"correlationData,omitempty"`
	CorrelationDataB64 *string     `json:"correlationData_b64,omitempty"`
	User               [][2]string `json:"user,omitempty"`
	MessageExpiry      *uint32     `json:"messageExpiry,omitempty"`
}

// Encode turns a message into its line form. Credentials in user properties
// are masked.
func Encode(m mqttconn.Message) Line {
	l := Line{
		Time:   m.Received.UTC().Format(time.RFC3339Nano),
		QoS:    m.QoS,
		Retain: m.Retain,
		Dup:    m.Dup,
	}
	if utf8.ValidString(m.Topic) {
		l.Topic = m.Topic
	} else {
		l.TopicB64 = base64.StdEncoding.EncodeToString([]byte(m.Topic))
	}
	l.Payload, l.PayloadB64 = textOrB64(m.Payload)
	if p := m.Props; p != nil {
		lp := &LineProps{
			ContentType:   p.ContentType,
			PayloadFormat: p.PayloadFormat,
			ResponseTopic: p.ResponseTopic,
			MessageExpiry: p.MessageExpiry,
		}
		if p.CorrelationData != nil {
			lp.CorrelationData, lp.CorrelationDataB64 = textOrB64(p.CorrelationData)
		}
		for _, u := range p.User {
			v := u.Value
			if platform.SecretKey(u.Key) {
				v = Redacted
			}
			lp.User = append(lp.User, [2]string{u.Key, v})
		}
		l.Props = lp
	}
	return l
}

func textOrB64(b []byte) (text, b64 *string) {
	if utf8.Valid(b) {
		s := string(b)
		return &s, nil
	}
	s := base64.StdEncoding.EncodeToString(b)
	return nil, &s
}

// Decode turns a line back into a message. A line needs a time and a topic.
func (l Line) Decode() (mqttconn.Message, error) {
	var m mqttconn.Message
	t, err := time.Parse(time.RFC3339Nano, l.Time)
	if err != nil {
		return m, fmt.Errorf("time %q: %w", l.Time, err)
	}
	m.Received = t
	switch {
	case l.Topic != "":
		m.Topic = l.Topic
	case l.TopicB64 != "":
		b, err := base64.StdEncoding.DecodeString(l.TopicB64)
		if err != nil {
			return m, fmt.Errorf("topic_b64: %w", err)
		}
		m.Topic = string(b)
	default:
		return m, fmt.Errorf("no topic")
	}
	if l.QoS > 2 {
		return m, fmt.Errorf("qos %d out of range", l.QoS)
	}
	m.QoS, m.Retain, m.Dup = l.QoS, l.Retain, l.Dup
	if m.Payload, err = fromTextOrB64(l.Payload, l.PayloadB64); err != nil {
		return m, fmt.Errorf("payload_b64: %w", err)
	}
	if m.Payload == nil {
		m.Payload = []byte{}
	}
	if lp := l.Props; lp != nil {
		p := &mqttconn.Props{
			ContentType:   lp.ContentType,
			PayloadFormat: lp.PayloadFormat,
			ResponseTopic: lp.ResponseTopic,
			MessageExpiry: lp.MessageExpiry,
		}
		if p.CorrelationData, err = fromTextOrB64(lp.CorrelationData, lp.CorrelationDataB64); err != nil {
			return m, fmt.Errorf("correlationData_b64: %w", err)
		}
		for _, u := range lp.User {
			p.User = append(p.User, mqttconn.UserProperty{Key: u[0], Value: u[1]})
		}
		m.Props = p
	}
	return m, nil
}

func fromTextOrB64(text, b64 *string) ([]byte, error) {
	switch {
	case text != nil:
		return []byte(*text), nil
	case b64 != nil:
		return base64.StdEncoding.DecodeString(*b64)
	}
	return nil, nil
}

// Writer appends messages to a recording. It is safe for concurrent use.
type Writer struct {
	mu        sync.Mutex
	bw        *bufio.Writer
	closer    io.Closer // the file when the Writer opened it
	lastFlush time.Time
	n         uint64
	err       error // first write error; later writes return it
}

// NewWriter writes lines to w. Call Flush or Close to push out the buffer.
func NewWriter(w io.Writer) *Writer {
	return &Writer{bw: bufio.NewWriterSize(w, 64<<10), lastFlush: time.Now()}
}

// Create opens path for appending (creating it with mode 0600: a recording
// may hold what devices said about themselves) and writes to it.
func Create(path string) (*Writer, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("record: open %s: %w", path, err)
	}
	w := NewWriter(f)
	w.closer = f
	return w, nil
}

// Write appends one message as a line. The buffer is flushed at least once
// a second while messages keep coming.
func (w *Writer) Write(m mqttconn.Message) error {
	b, err := json.Marshal(Encode(m))
	if err != nil {
		return fmt.Errorf("record: encode %q: %w", m.Topic, err)
	}
	b = append(b, '\n')
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return w.err
	}
	if _, err := w.bw.Write(b); err != nil {
		w.err = fmt.Errorf("record: write: %w", err)
		return w.err
	}
	w.n++
	if now := time.Now(); now.Sub(w.lastFlush) >= flushEvery {
		w.lastFlush = now
		if err := w.bw.Flush(); err != nil {
			w.err = fmt.Errorf("record: flush: %w", err)
			return w.err
		}
	}
	return nil
}

// Count is the number of messages written so far.
func (w *Writer) Count() uint64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.n
}

// Flush writes out what is buffered.
func (w *Writer) Flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return w.err
	}
	w.lastFlush = time.Now()
	if err := w.bw.Flush(); err != nil {
		w.err = fmt.Errorf("record: flush: %w", err)
	}
	return w.err
}

// Close flushes and, when the Writer opened the file, closes it.
func (w *Writer) Close() error {
	err := w.Flush()
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closer != nil {
		if cerr := w.closer.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("record: close: %w", cerr)
		}
		w.closer = nil
	}
	return err
}
