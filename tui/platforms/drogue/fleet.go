package drogue

import (
	"strconv"
	"time"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/mqttconn/platform"
	"github.com/mqdeck/mqdeck/tui/fleet"
	"github.com/mqdeck/mqdeck/tui/platforms/payload"
)

// Apply folds one message of an application's CloudEvent stream or a
// command topic into the fleet store (platforms.md §2).
func Apply(w *fleet.Writer) {
	it := w.Item()
	r := &it.Route
	if r.System == "" {
		return
	}
	ref := fleet.RefOf(r)
	d := it.Value.Data
	switch r.Kind {
	case platform.KindDeviceEvent, platform.KindCloudEvent:
		sys := w.System(ref, true)
		if r.Sender != "" && r.Sender != r.System {
			sys.Via = r.Sender
		}
		if r.Kind == platform.KindCloudEvent || d.Kind == decode.KindNull {
			return
		}
		prefix := ""
		if r.Channel != "" {
			prefix = r.Channel + "."
		}
		w.Fields(ref, fleet.SeriesDatapoint, prefix, d, time.Time{})
	case platform.KindConnectionEvent:
		sys := w.System(ref, true)
		b, ok := payload.Bool(d, "connected")
		if !ok {
			return
		}
		since := w.At()
		if ev := it.Value.Event; ev != nil {
			if t := payload.TimeOf(decode.StringNode(ev.Time)); !t.IsZero() {
				since = t
			}
		}
		c := fleet.ConnOffline
		if b {
			c = fleet.ConnOnline
		}
		w.Presence(sys, c, since, "connection event", true)
	case platform.KindRegistryEvent:
		w.System(ref, false)
	case platform.KindCommand:
		w.System(ref, false)
		c := w.Command(ref, r.Command+"#"+strconv.FormatUint(w.Seq(), 10))
		c.Name = r.Command
		c.Topic = it.Msg.Topic
		c.Params = d
		w.CommandStatus(c, "sent")
	}
}
