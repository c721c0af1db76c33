package ingest

import (
	"testing"

	"github.com/mqdeck/mqdeck/decode"
	"github.com/mqdeck/mqdeck/mqttconn"
	"github.com/mqdeck/mqdeck/mqttconn/platform"
)

// Seed 001: the DRIVR event and its error reply, through the real scheme
// and decoder.
const (
	seedEventTopic = "drivr/v1/company-example/systems/792b6149-1daa-488f-b07a-f684503b0586/events/a707aa3a-b44f-42e0-9ab8-b8efe13409c8"
	seedEvent      = `{ "uuid": "a707aa3a-b44f-42e0-9ab8-b8efe13409c8", "createdAt": "2025-05-09T13:28:42.658581", "updatedAt": "2025-05-09T13:28:42.658962", "entityUuid": "792b6149-1daa-488f-b07a-f684503b0586", "time": "2025-05-09T13:28:42.611276+00:00", "endTime": null, "status": null, "acknowledged": false, "eventModel": { "uuid": "c867ee9d-52f1-4819-9bfc-b64d6321a04b", "entityType": "SYSTEM", "eventType": "SINGLE_POINT", "eventLevel": "ERROR", "code": "energy-overload-model", "message": null }, "metadata": {} }`
	seedErrorTopic = "drivr/v1/company-example/input/event/s/792b6149-1daa-488f-b07a-f684503b0586/json/error"
	seedError      = `{ "code": "SOME_DATA_INVALID", "message": "Some Events couldn't be imported/updated.", "stats": { "total": 1, "errors": 1, "imported": 0 }, "errors": { "0": [ { "code": "validation_error", "message": { "eventModel": ["Unknown field."] } } ] } }`
)

func TestSeedMessagesAreRoutedAndDecoded(t *testing.T) {
	scheme, err := platform.New(platform.DRIVR, platform.Params{Slug: "company-example"})
	if err != nil {
		t.Fatal(err)
	}
	in := make(chan mqttconn.Message, 2)
	in <- mqttconn.Message{Topic: seedEventTopic, Payload: []byte(seedEvent)}
	in <- mqttconn.Message{Topic: seedErrorTopic, Payload: []byte(seedError)}
	close(in)
	c := &collector{}
	cancel, done := runPump(t, BatchConfig{Messages: in, Ingest: Config{Scheme: scheme}}, c)
	defer cancel()
	wait(t, done)
	var items int
	for _, b := range c.batches {
		for _, it := range flat(b) {
			items++
			switch it.Msg.Topic {
			case seedEventTopic:
				if it.Route.Kind != platform.KindEvent || it.Route.Event != "a707aa3a-b44f-42e0-9ab8-b8efe13409c8" {
					t.Errorf("event routed as %+v", it.Route)
				}
				if it.Value.Format != decode.FormatJSON {
					t.Errorf("event decoded as %s", it.Value.Format)
				}
				if code, _ := it.Value.Data.Get("eventModel", "code"); code.Str != "energy-overload-model" {
					t.Errorf("event model code = %q", code.Str)
				}
			case seedErrorTopic:
				if it.Route.Kind != platform.KindError {
					t.Errorf("error routed as %+v", it.Route)
				}
				if code, _ := it.Value.Data.Get("code"); code.Str != "SOME_DATA_INVALID" {
					t.Errorf("error code = %q", code.Str)
				}
			}
		}
	}
	if items != 2 {
		t.Fatalf("%d items, want 2", items)
	}
}
