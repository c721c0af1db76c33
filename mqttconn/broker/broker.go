// Package broker runs an embedded MQTT broker (mochi-mqtt) on loopback for
// `mqdeck demo`, the simulator and tests. It never logs to stdout: a broker
// writing into the terminal would corrupt the console's screen.
package broker

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"sync/atomic"

	mqtt "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/listeners"
	"github.com/mochi-mqtt/server/v2/packets"

	"github.com/mqdeck/mqdeck/mqttconn"
)

// DefaultWritesPending is the per-client queue of outbound packets. mochi's
// default (8192) drops silently under a flood from the simulator; 65536
// pointers cost 512 KiB per connected client, which a demo can afford.
const DefaultWritesPending = 65536

// WSPath is the path the websocket listener is advertised on. The listener
// accepts any path; clients conventionally use /mqtt.
const WSPath = "/mqtt"

// Config says what to listen on. The zero value plus an Addr is enough.
type Config struct {
	Addr          string       // TCP listener, e.g. "127.0.0.1:0" (free port)
	WSAddr        string       // optional websocket listener, "" for none
	WritesPending int          // per-client outbound queue, default DefaultWritesPending
	Logger        *slog.Logger // nil discards everything
}

// Broker is a running embedded broker.
type Broker struct {
	srv       *mqtt.Server
	addr      string
	ws        *wsListener
	closeOnce sync.Once
	closeErr  error
}

// Start runs a broker with a TCP listener on addr (loopback; port 0 picks a
// free one). The broker is serving when Start returns.
func Start(addr string) (*Broker, error) {
	return StartConfig(Config{Addr: addr})
}

// StartConfig runs a broker as cfg says.
func StartConfig(cfg Config) (*Broker, error) {
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	if cfg.WritesPending <= 0 {
		cfg.WritesPending = DefaultWritesPending
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelError + 100}))
	}
	caps := mqtt.NewDefaultServerCapabilities()
	caps.MaximumClientWritesPending = int32(min(cfg.WritesPending, 1<<30))
	// mochi stamps this maximum (24 h by default) as the message expiry of
	// every message whose publisher set none; 0 keeps only what publishers set.
	caps.MaximumMessageExpiryInterval = 0
	// mochi copies a publish's properties into its PUBACK/PUBREC: user
	// properties such as the device API's access_key would be echoed back.
	caps.Compatibilities.NoInheritedPropertiesOnAck = true
	srv := mqtt.New(&mqtt.Options{
		Capabilities: caps,
		Logger:       logger,
		InlineClient: true,
		// $SYS every 60 s rather than every second: a console subscribed to
		// '#' should not see a stream of broker bookkeeping.
		SysTopicResendInterval: 60,
	})
	if err := srv.AddHook(new(allowAll), nil); err != nil {
		return nil, fmt.Errorf("embedded broker: auth hook: %w", err)
	}
	if err := srv.AddHook(new(ackCodes), nil); err != nil {
		return nil, fmt.Errorf("embedded broker: ack hook: %w", err)
	}
	tcp := listeners.NewTCP(listeners.Config{Type: listeners.TypeTCP, ID: "tcp", Address: cfg.Addr})
	if err := srv.AddListener(tcp); err != nil {
		return nil, fmt.Errorf("embedded broker: listen on %s: %w", cfg.Addr, err)
	}
	b := &Broker{srv: srv, addr: tcp.Address()}
	if cfg.WSAddr != "" {
		b.ws = newWSListener("ws", cfg.WSAddr)
		if err := srv.AddListener(b.ws); err != nil {
			_ = srv.Close()
			return nil, fmt.Errorf("embedded broker: websocket listen on %s: %w", cfg.WSAddr, err)
		}
	}
	if err := srv.Serve(); err != nil {
		_ = srv.Close()
		return nil, fmt.Errorf("embedded broker: serve: %w", err)
	}
	return b, nil
}

// disconnectClients disconnects the clients of one listener, as mochi's
// own closer does, without its second read lock.
func (b *Broker) disconnectClients(listener string) {
	for _, cl := range b.srv.Clients.GetAll() {
		if cl.Net.Listener == listener && !cl.Closed() {
			_ = b.srv.DisconnectClient(cl, packets.ErrServerShuttingDown)
		}
	}
}

// Addr is the TCP listener's host:port.
func (b *Broker) Addr() string { return b.addr }

// URL is "mqtt://127.0.0.1:PORT".
func (b *Broker) URL() string { return "mqtt://" + b.addr }

// WSURL is "ws://127.0.0.1:PORT/mqtt", or "" without a websocket listener.
func (b *Broker) WSURL() string {
	if b.ws == nil {
		return ""
	}
	return "ws://" + b.ws.Address() + WSPath
}

// Port is the TCP listener's port.
func (b *Broker) Port() int {
	_, p, err := net.SplitHostPort(b.addr)
	if err != nil {
		return 0
	}
	n, _ := strconv.Atoi(p)
	return n
}

// Close stops the listeners and disconnects every client. Calling it
// again is a no-op (mochi itself panics on a second Close).
//
// mochi's Close lists each listener's clients in Clients.GetByListener,
// which takes the clients' read lock twice (v2.7.9): a client connecting
// or leaving in between waits for the first and blocks the second, and
// the broker deadlocks (mochi-mqtt/server#488; it hung a CI run here). So
// the listeners are closed first with disconnectClients, which lists them
// under one read lock; mochi's Close then finds them closed.
func (b *Broker) Close() error {
	b.closeOnce.Do(func() {
		b.srv.Listeners.CloseAll(b.disconnectClients)
		if err := b.srv.Close(); err != nil {
			b.closeErr = fmt.Errorf("embedded broker: close: %w", err)
		}
	})
	return b.closeErr
}

// Dropped counts messages the broker discarded because a subscriber's
// outbound queue was full (see Config.WritesPending) or its in-flight window
// was exhausted. The simulator can watch it to slow down.
func (b *Broker) Dropped() int64 {
	return atomic.LoadInt64(&b.srv.Info.MessagesDropped) + atomic.LoadInt64(&b.srv.Info.InflightDropped)
}

// Clients is the number of connected network clients.
func (b *Broker) Clients() int64 { return atomic.LoadInt64(&b.srv.Info.ClientsConnected) }

// Publish injects a message as if a client had published it, without a
// socket. qos caps the QoS subscribers receive it with.
func (b *Broker) Publish(topic string, payload []byte, retain bool, qos byte) error {
	return b.PublishProps(topic, payload, retain, qos, nil)
}

// PublishProps is Publish with MQTT 5 properties (user properties, content
// type, response topic...). 3.1.1 subscribers receive the message without them.
func (b *Broker) PublishProps(topic string, payload []byte, retain bool, qos byte, props *mqttconn.Props) error {
	if qos > 2 {
		return fmt.Errorf("embedded broker: publish %q: qos %d out of range", topic, qos)
	}
	if !mqtt.IsValidFilter(topic, true) {
		return fmt.Errorf("embedded broker: publish %q: %w", topic, packets.ErrTopicNameInvalid)
	}
	cl, ok := b.srv.Clients.Get(mqtt.InlineClientId)
	if !ok {
		return errors.New("embedded broker: inline client missing")
	}
	pk := packets.Packet{
		FixedHeader: packets.FixedHeader{Type: packets.Publish, Qos: qos, Retain: retain},
		TopicName:   topic,
		Payload:     payload,
		// mochi validates that QoS > 0 publishes carry an id; the inline
		// client never waits for an acknowledgement, so any non-zero id works.
		PacketID: uint16(qos),
	}
	if props != nil {
		pk.Properties = toPacketProps(props)
	}
	if err := b.srv.InjectPacket(cl, pk); err != nil {
		return fmt.Errorf("embedded broker: publish %q: %w", topic, err)
	}
	return nil
}

// Subscribe calls fn for every message matching filter, in the publisher's
// goroutine: fn must return quickly (it may Publish). payload and props are
// fn's own copies. id names the subscription for Unsubscribe.
func (b *Broker) Subscribe(filter string, id int, fn func(topic string, payload []byte, props *mqttconn.Props)) error {
	if fn == nil {
		return errors.New("embedded broker: subscribe: nil handler")
	}
	err := b.srv.Subscribe(filter, id, func(_ *mqtt.Client, _ packets.Subscription, pk packets.Packet) {
		payload := make([]byte, len(pk.Payload))
		copy(payload, pk.Payload)
		fn(pk.TopicName, payload, fromPacketProps(&pk.Properties))
	})
	if err != nil {
		return fmt.Errorf("embedded broker: subscribe %q: %w", filter, err)
	}
	return nil
}

// Unsubscribe removes the inline subscription (filter, id).
func (b *Broker) Unsubscribe(filter string, id int) error {
	if err := b.srv.Unsubscribe(filter, id); err != nil {
		return fmt.Errorf("embedded broker: unsubscribe %q: %w", filter, err)
	}
	return nil
}

func toPacketProps(p *mqttconn.Props) packets.Properties {
	out := packets.Properties{
		ContentType:     p.ContentType,
		ResponseTopic:   p.ResponseTopic,
		CorrelationData: p.CorrelationData,
	}
	if p.PayloadFormat != nil {
		out.PayloadFormat = *p.PayloadFormat
		out.PayloadFormatFlag = true
	}
	if p.MessageExpiry != nil {
		out.MessageExpiryInterval = *p.MessageExpiry
	}
	if len(p.User) > 0 {
		out.User = make([]packets.UserProperty, len(p.User))
		for i, u := range p.User {
			out.User[i] = packets.UserProperty{Key: u.Key, Val: u.Value}
		}
	}
	return out
}

// fromPacketProps returns nil when the packet carries none of the
// properties a Message exposes.
func fromPacketProps(p *packets.Properties) *mqttconn.Props {
	if p.ContentType == "" && p.ResponseTopic == "" && len(p.CorrelationData) == 0 &&
		len(p.User) == 0 && !p.PayloadFormatFlag && p.MessageExpiryInterval == 0 {
		return nil
	}
	out := &mqttconn.Props{
		ContentType:   p.ContentType,
		ResponseTopic: p.ResponseTopic,
	}
	if len(p.CorrelationData) > 0 {
		out.CorrelationData = append([]byte(nil), p.CorrelationData...)
	}
	if p.PayloadFormatFlag {
		f := p.PayloadFormat
		out.PayloadFormat = &f
	}
	if p.MessageExpiryInterval > 0 {
		e := p.MessageExpiryInterval
		out.MessageExpiry = &e
	}
	if len(p.User) > 0 {
		out.User = make([]mqttconn.UserProperty, len(p.User))
		for i, u := range p.User {
			out.User[i] = mqttconn.UserProperty{Key: u.Key, Value: u.Val}
		}
	}
	return out
}

// allowAll lets every client connect and use every topic: the embedded
// broker listens on loopback for the demo and tests only. (mochi's own
// allow-all hook lives in a package that pulls in a YAML library.)
type allowAll struct{ mqtt.HookBase }

func (allowAll) ID() string { return "mqdeck-allow-all" }

func (allowAll) Provides(b byte) bool {
	return b == mqtt.OnConnectAuthenticate || b == mqtt.OnACLCheck
}

func (allowAll) OnConnectAuthenticate(*mqtt.Client, packets.Packet) bool { return true }

func (allowAll) OnACLCheck(*mqtt.Client, string, bool) bool { return true }

// ackCodes corrects the reason code of a successful PUBACK: mochi sends the
// SUBACK code "granted QoS 1" (0x01), which is not a PUBACK code, and strict
// clients (mqtt.js) drop the connection over it.
type ackCodes struct{ mqtt.HookBase }

func (ackCodes) ID() string { return "mqdeck-ack-codes" }

func (ackCodes) Provides(b byte) bool { return b == mqtt.OnPacketEncode }

func (ackCodes) OnPacketEncode(_ *mqtt.Client, pk packets.Packet) packets.Packet {
	if pk.FixedHeader.Type == packets.Puback && (pk.ReasonCode == packets.CodeGrantedQos1.Code ||
		pk.ReasonCode == packets.CodeGrantedQos2.Code) {
		pk.ReasonCode = packets.CodeSuccess.Code
	}
	return pk
}
