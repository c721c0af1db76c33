package benchkit

import (
	"context"
	"fmt"
	"net"

	"github.com/mqdeck/mqdeck/mqttconn"
)

// RawBus is a sim.Bus that writes MQTT 3.1.1 QoS 0 PUBLISH packets
// straight to one connection, buffered: with sim.Flood it publishes a
// paced, endless, realistic flood for a fraction of a client's cost.
// Properties are dropped (3.1.1).
type RawBus struct {
	conn net.Conn
	buf  []byte
}

// rawFlush is the write size: large enough for few system calls, small
// enough that a paced flood is not held back noticeably (~200 messages).
const rawFlush = 64 << 10

// DialRaw connects one publisher.
func DialRaw(ctx context.Context, addr, clientID string) (*RawBus, error) {
	b, err := Dial(ctx, addr, clientID, 1)
	if err != nil {
		return nil, err
	}
	return &RawBus{conn: b.conns[0], buf: make([]byte, 0, rawFlush+4096)}, nil
}

// Publish appends one message and writes when the buffer is full.
func (r *RawBus) Publish(topic string, payload []byte, _ byte, _ bool, _ *mqttconn.Props) error {
	r.buf = AppendPublish(r.buf, topic, payload)
	if len(r.buf) >= rawFlush {
		return r.Flush()
	}
	return nil
}

// Subscribe is not supported: the raw bus only publishes.
func (r *RawBus) Subscribe(string, func(mqttconn.Message)) error {
	return fmt.Errorf("raw bus: publish only")
}

// Flush writes what is buffered.
func (r *RawBus) Flush() error {
	if len(r.buf) == 0 {
		return nil
	}
	_, err := r.conn.Write(r.buf)
	r.buf = r.buf[:0]
	if err != nil {
		return fmt.Errorf("raw bus: %w", err)
	}
	return nil
}

// Close flushes, disconnects and closes.
func (r *RawBus) Close() error {
	err := r.Flush()
	_, _ = r.conn.Write([]byte{0xe0, 0})
	if cerr := r.conn.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("raw bus: %w", cerr)
	}
	return err
}
