package mqttconn

import (
	"bytes"
	"errors"
	"net"
	"testing"

	"github.com/eclipse/paho.golang/packets"
)

// writesConn records each Write to the connection, and fails them from
// failAt on (0: never).
type writesConn struct {
	net.Conn
	writes [][]byte
	failAt int
}

func (w *writesConn) Write(b []byte) (int, error) {
	if w.failAt > 0 && len(w.writes)+1 >= w.failAt {
		return 0, errors.New("broken pipe")
	}
	w.writes = append(w.writes, append([]byte(nil), b...))
	return len(b), nil
}

func (w *writesConn) all() []byte { return bytes.Join(w.writes, nil) }

// paho.golang writes a PUBACK in three pieces; the broker gets it in one
// write, byte for byte the same.
func TestPacketIsOneWrite(t *testing.T) {
	wc := &writesConn{}
	lc := newLiveConn(wc, nil)
	ack := packets.Puback{PacketID: 0x1234, Properties: &packets.Properties{}}
	var want bytes.Buffer
	if _, err := ack.WriteTo(&want); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if _, err := ack.WriteTo(lc); err != nil {
			t.Fatalf("PUBACK %d: %v", i, err)
		}
	}
	if len(wc.writes) != 3 {
		t.Fatalf("3 PUBACKs took %d writes, want 3: %q", len(wc.writes), wc.writes)
	}
	for i, w := range wc.writes {
		if !bytes.Equal(w, want.Bytes()) {
			t.Errorf("write %d = % x, want % x", i, w, want.Bytes())
		}
	}
}

// A packet larger than what is copied goes out whole and in order, and the
// next small packet is one write again.
func TestLargePacketIsWrittenAsItComes(t *testing.T) {
	wc := &writesConn{}
	lc := newLiveConn(wc, nil)
	payload := bytes.Repeat([]byte("x"), 3*maxCoalesce)
	pub := packets.Publish{Topic: "a/b", QoS: 1, PacketID: 7, Payload: payload, Properties: &packets.Properties{}}
	ack := packets.Puback{PacketID: 8, Properties: &packets.Properties{}}
	var want bytes.Buffer
	if _, err := pub.ToControlPacket().WriteTo(&want); err != nil {
		t.Fatal(err)
	}
	if _, err := ack.WriteTo(&want); err != nil {
		t.Fatal(err)
	}
	if _, err := pub.ToControlPacket().WriteTo(lc); err != nil {
		t.Fatal(err)
	}
	before := len(wc.writes)
	if _, err := ack.WriteTo(lc); err != nil {
		t.Fatal(err)
	}
	if got := len(wc.writes) - before; got != 1 {
		t.Errorf("the PUBACK after a large PUBLISH took %d writes, want 1", got)
	}
	if !bytes.Equal(wc.all(), want.Bytes()) {
		t.Errorf("the bytes written differ from the packets (%d vs %d bytes)", len(wc.all()), want.Len())
	}
}

// A failed write is the packet's error, reported by the write of its last
// piece, and nothing of it is kept for the next packet.
func TestPacketWriteErrorIsReported(t *testing.T) {
	wc := &writesConn{failAt: 1}
	lc := newLiveConn(wc, nil)
	ack := packets.Puback{PacketID: 1, Properties: &packets.Properties{}}
	if _, err := ack.WriteTo(lc); err == nil {
		t.Fatal("a PUBACK on a broken connection was reported as written")
	}
	wc.failAt = 0
	if _, err := ack.WriteTo(lc); err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	_, _ = ack.WriteTo(&want)
	if !bytes.Equal(wc.all(), want.Bytes()) {
		t.Errorf("after a failed packet the next one wrote % x, want % x", wc.all(), want.Bytes())
	}
}

// MQTT 3.1.1's PINGREQ, due while a packet is half written, follows that
// packet, never splits it.
func TestPingWaitsForThePacket(t *testing.T) {
	wc := &writesConn{}
	lc := newLiveConn(wc, &pinger{})
	pkt := []byte{0x30, 0x05, 0x00, 0x01, 'a', 'h', 'i'} // PUBLISH "a" "hi"
	if _, err := lc.Write(pkt[:3]); err != nil {
		t.Fatal(err)
	}
	if err := lc.ping(); err != nil {
		t.Fatal(err)
	}
	if _, err := lc.Write(pkt[3:]); err != nil {
		t.Fatal(err)
	}
	want := append(append([]byte(nil), pkt...), pingreq[:]...)
	if !bytes.Equal(wc.all(), want) {
		t.Fatalf("wrote % x, want % x", wc.all(), want)
	}
	if len(wc.writes) != 2 {
		t.Errorf("packet and ping took %d writes, want 2 (the packet whole, then the ping)", len(wc.writes))
	}
}
