package benchkit

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/sim"
)

// Msg is one generated message.
type Msg struct {
	Topic   string
	Payload []byte
}

// captureBus records what sim.Flood publishes instead of sending it.
type captureBus struct{ msgs []Msg }

func (c *captureBus) Publish(topic string, payload []byte, _ byte, _ bool, _ *mqttconn.Props) error {
	c.msgs = append(c.msgs, Msg{Topic: topic, Payload: payload})
	return nil
}

func (c *captureBus) Subscribe(string, func(mqttconn.Message)) error { return nil }

// Generate makes cfg.N messages with the simulator's flood generator
// (realistic platform topics and payloads), without a broker. Properties
// are left out: the blaster speaks MQTT 3.1.1.
func Generate(cfg sim.FloodConfig) ([]Msg, error) {
	if cfg.N <= 0 {
		return nil, errors.New("generate: N must be positive")
	}
	bus := &captureBus{msgs: make([]Msg, 0, cfg.N)}
	if _, err := sim.Flood(context.Background(), bus, cfg); err != nil {
		return nil, fmt.Errorf("generate: %w", err)
	}
	return bus.msgs, nil
}

// appendLength appends an MQTT variable byte integer.
func appendLength(b []byte, n int) []byte {
	for {
		d := byte(n % 128)
		n /= 128
		if n > 0 {
			d |= 0x80
		}
		b = append(b, d)
		if n == 0 {
			return b
		}
	}
}

// AppendPublish appends an MQTT 3.1.1 QoS 0 PUBLISH packet.
func AppendPublish(b []byte, topic string, payload []byte) []byte {
	b = append(b, 0x30)
	b = appendLength(b, 2+len(topic)+len(payload))
	b = binary.BigEndian.AppendUint16(b, uint16(len(topic)))
	b = append(b, topic...)
	return append(b, payload...)
}

// AppendPublishQoS1 appends an MQTT 3.1.1 QoS 1 PUBLISH packet with
// packet identifier id (never 0).
func AppendPublishQoS1(b []byte, topic string, payload []byte, id uint16) []byte {
	b = append(b, 0x32)
	b = appendLength(b, 4+len(topic)+len(payload))
	b = binary.BigEndian.AppendUint16(b, uint16(len(topic)))
	b = append(b, topic...)
	b = binary.BigEndian.AppendUint16(b, id)
	return append(b, payload...)
}

// Encode splits msgs over parts connections (message i goes to part
// i%parts) as ready-to-write PUBLISH streams.
func Encode(msgs []Msg, parts int) [][]byte {
	return EncodeQoS(msgs, parts, 0)
}

// EncodeQoS is Encode with QoS 0 or 1 PUBLISH packets.
func EncodeQoS(msgs []Msg, parts int, qos byte) [][]byte {
	if parts < 1 {
		parts = 1
	}
	size := 0
	for _, m := range msgs {
		size += len(m.Topic) + len(m.Payload) + 8
	}
	out := make([][]byte, parts)
	for i := range out {
		out[i] = make([]byte, 0, size/parts+1024)
	}
	for i, m := range msgs {
		if qos == 0 {
			out[i%parts] = AppendPublish(out[i%parts], m.Topic, m.Payload)
		} else {
			out[i%parts] = AppendPublishQoS1(out[i%parts], m.Topic, m.Payload, uint16(i/parts%65535+1))
		}
	}
	return out
}

// connectPacket is an MQTT 3.1.1 CONNECT with a clean session.
func connectPacket(clientID string) []byte {
	body := []byte{0, 4, 'M', 'Q', 'T', 'T', 4, 0x02, 0, 60}
	body = binary.BigEndian.AppendUint16(body, uint16(len(clientID)))
	body = append(body, clientID...)
	p := appendLength([]byte{0x10}, len(body))
	return append(p, body...)
}

// Blaster holds connections that are open and accepted by the broker, so
// a timed run starts with the first PUBLISH byte.
type Blaster struct {
	conns []net.Conn
}

// Dial opens n publisher connections and waits for each CONNACK.
func Dial(ctx context.Context, addr, idPrefix string, n int) (*Blaster, error) {
	b := &Blaster{}
	var d net.Dialer
	for i := 0; i < n; i++ {
		c, err := d.DialContext(ctx, "tcp", addr)
		if err != nil {
			b.Close()
			return nil, fmt.Errorf("blaster: %w", err)
		}
		b.conns = append(b.conns, c)
		if _, err := c.Write(connectPacket(fmt.Sprintf("%s-%d", idPrefix, i))); err != nil {
			b.Close()
			return nil, fmt.Errorf("blaster: connect: %w", err)
		}
		_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
		ack := make([]byte, 4)
		if _, err := io.ReadFull(c, ack); err != nil {
			b.Close()
			return nil, fmt.Errorf("blaster: connack: %w", err)
		}
		if ack[0] != 0x20 || ack[3] != 0 {
			b.Close()
			return nil, fmt.Errorf("blaster: connection refused (connack % x)", ack)
		}
		_ = c.SetReadDeadline(time.Time{})
	}
	return b, nil
}

// Send writes stream i on connection i (in parallel), then a DISCONNECT,
// and returns when every byte is written.
func (b *Blaster) Send(streams [][]byte) error {
	if len(streams) > len(b.conns) {
		return fmt.Errorf("blaster: %d streams for %d connections", len(streams), len(b.conns))
	}
	var wg sync.WaitGroup
	errs := make([]error, len(streams))
	for i, s := range streams {
		wg.Add(1)
		go func(i int, s []byte) {
			defer wg.Done()
			if _, err := b.conns[i].Write(s); err != nil {
				errs[i] = fmt.Errorf("blaster: write: %w", err)
				return
			}
			if _, err := b.conns[i].Write([]byte{0xe0, 0}); err != nil {
				errs[i] = fmt.Errorf("blaster: disconnect: %w", err)
			}
		}(i, s)
	}
	wg.Wait()
	return errors.Join(errs...)
}

// WaitClosed reads (and discards: PUBACKs) until the broker closes every
// connection after the DISCONNECT Send wrote: by then it has taken in every
// PUBLISH before it.
func (b *Blaster) WaitClosed(limit time.Duration) error {
	for _, c := range b.conns {
		_ = c.SetReadDeadline(time.Now().Add(limit))
		if _, err := io.Copy(io.Discard, c); err != nil {
			return fmt.Errorf("blaster: waiting for the broker to close: %w", err)
		}
	}
	return nil
}

// Close closes every connection.
func (b *Blaster) Close() {
	for _, c := range b.conns {
		_ = c.Close()
	}
}
