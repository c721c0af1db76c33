package mqttconn

import (
	"context"
	"fmt"
	"math"
	"net"
	"sync/atomic"
	"time"

	"github.com/eclipse/paho.golang/packets"
	"github.com/eclipse/paho.golang/paho"
	"github.com/eclipse/paho.golang/paho/log"
)

// A hung broker or a dead path must be noticed within 1.5x the keepalive
// (issue 9), and a read loop that waits for a slow consumer must not look
// dead (issue 12). paho's default pinger sends PINGREQ a whole keepalive after
// the last packet and only gives up one keepalive later: up to 2x.
// paho.mqtt.golang only counts a PINGRESP as an answer, and that PINGRESP
// queues behind every PUBLISH the broker sent before it, so a backlog drained
// by a slow consumer would look like a dead broker. So both protocols run
// pinger: it pings after half a keepalive of silence in either direction and
// gives up when nothing at all has come back half a keepalive after the ping
// (at most about 1.1x keepalive); any packet received is an answer.
//   - MQTT 5: pinger is paho's PingHandler;
//   - MQTT 3.1.1: pinger reads and writes through liveConn (deliver.go),
//     which puts the PINGREQ between two packets; the library's own ping
//     timeout is off, and the client announces half the keepalive (at least
//     2 s, see keepalive311) so the broker also drops a dead console sooner.

// pinger implements paho.Pinger for the MQTT 5 client. autopaho reuses one
// ClientConfig for every connection, so Run starts from fresh state.
type pinger struct {
	lastSent atomic.Int64 // Unix nanoseconds
	lastRecv atomic.Int64
}

var _ paho.Pinger = (*pinger)(nil)

func (p *pinger) PacketSent()         { p.lastSent.Store(time.Now().UnixNano()) }
func (p *pinger) PacketReceived()     { p.lastRecv.Store(time.Now().UnixNano()) }
func (p *pinger) PingResp()           {} // PacketReceived already saw it
func (p *pinger) SetDebug(log.Logger) {}

// Run pings and watches until ctx ends (nil) or the broker stops answering.
func (p *pinger) Run(ctx context.Context, conn net.Conn, keepAlive uint16) error {
	if keepAlive == 0 {
		return nil
	}
	if conn == nil {
		return fmt.Errorf("pinger: no connection")
	}
	return p.run(ctx, time.Duration(keepAlive)*time.Second, func() error {
		_, err := packets.NewControlPacket(packets.PINGREQ).WriteTo(conn)
		return err
	})
}

// run is Run for a keepalive k with any way of sending a PINGREQ: the
// MQTT 3.1.1 client sends it through its liveConn (deliver.go). Any packet
// received counts as an answer, so a read loop that waits for a slow
// consumer but keeps reading is never taken for a dead broker.
func (p *pinger) run(ctx context.Context, k time.Duration, ping func() error) error {
	half := k / 2
	now := time.Now().UnixNano()
	p.lastSent.Store(now)
	p.lastRecv.Store(now)
	tick := time.NewTicker(k / 8)
	defer tick.Stop()
	writeErr := make(chan error, 1)
	var pingAt int64 // the outstanding ping, 0 when none
	for {
		select {
		case <-ctx.Done():
			return nil
		case err := <-writeErr:
			return err
		case t := <-tick.C:
			now := t.UnixNano()
			recv := p.lastRecv.Load()
			if pingAt != 0 {
				if recv >= pingAt {
					pingAt = 0 // the broker spoke after the ping: alive
				} else if time.Duration(now-pingAt) >= half-k/16 {
					return fmt.Errorf("the broker did not answer a ping within %s (keepalive %s)", half, k)
				}
			}
			if pingAt == 0 && (time.Duration(now-recv) >= half || time.Duration(now-p.lastSent.Load()) >= half) {
				pingAt = now
				p.lastSent.Store(now)
				// A write can block behind a large packet; closing the
				// connection unblocks it, so the goroutine does not leak.
				go func() {
					if err := ping(); err != nil {
						select {
						case writeErr <- fmt.Errorf("send PINGREQ: %w", err):
						default:
						}
					}
				}()
			}
		}
	}
}

// keepalive311 returns the keepalive paho.mqtt.golang announces and pings
// on when idle: half of k, whole seconds, never under 2 s (brokers such as
// mochi allow 1.5x in whole seconds, which is no slack at 1 s). pinger keeps
// the connection alive within it: it pings after k/2 of silence.
func keepalive311(k time.Duration) time.Duration {
	return min(k, max((k/2).Truncate(time.Second), 2*time.Second))
}

// noPingTimeout turns off paho.mqtt.golang's own ping timeout: it waits for
// a PINGRESP that may queue behind a long backlog; pinger judges instead.
const noPingTimeout = time.Duration(math.MaxInt64)
