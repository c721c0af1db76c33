package mqttconn

import (
	"context"
	"fmt"
	"net"
	"sync/atomic"
	"time"

	"github.com/eclipse/paho.golang/packets"
	"github.com/eclipse/paho.golang/paho"
	"github.com/eclipse/paho.golang/paho/log"
)

// A hung broker or a dead path must be noticed within 1.5x the keepalive
// (issue 9). paho's default pinger sends PINGREQ a whole keepalive after the
// last packet and only gives up one keepalive later: up to 2x. paho.mqtt.golang
// is worse (keepalive + a quarter + its ping timeout). So:
//   - MQTT 5: pinger pings after half a keepalive of silence in either
//     direction and gives up when nothing at all has come back half a
//     keepalive after the ping: at most about 1.1x keepalive;
//   - MQTT 3.1.1: the library has no pluggable pinger, so the client asks
//     for half the keepalive (at least 2 s) and a ping timeout of a quarter
//     (see keepalive311): at most about 1x keepalive from 3 s up. The broker
//     then also drops a dead console sooner, which only fires its will
//     earlier.

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
	k := time.Duration(keepAlive) * time.Second
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
					if _, err := packets.NewControlPacket(packets.PINGREQ).WriteTo(conn); err != nil {
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

// keepalive311 returns what paho.mqtt.golang gets for a keepalive of k:
// the interval it announces and pings on (half of k, whole seconds, never
// under 2 s: brokers such as mochi allow 1.5x in whole seconds, which is no
// slack at 1 s), and its ping timeout.
func keepalive311(k time.Duration) (interval, pingTimeout time.Duration) {
	interval = min(k, max((k/2).Truncate(time.Second), 2*time.Second))
	return interval, max(k/4, 250*time.Millisecond)
}
