package sim

import (
	"strings"
	"testing"
	"time"
)

// hvacOf is the seed system's HVAC component.
func hvacOf(t *testing.T, s *Sim) *drivrComponent {
	t.Helper()
	for _, c := range s.drivr.sysByUUID[SeedSystemUUID].comps {
		if c.kind == kindHVAC {
			return c
		}
	}
	t.Fatal("the seed system has no HVAC")
	return nil
}

// A setpoint lands: the device applies it, reports it, and its next
// datapoint shows the value (hvac-1 kept publishing 21 after a 22.5 was acked).
func TestSetpointInputLandsInTheNextDatapoint(t *testing.T) {
	s, bus := newTestSim(t, Config{})
	c := hvacOf(t, s)
	entity := emsTopic + "/components/" + c.code
	input := slugBase + "/input/setpoint/c/" + c.uuid + "/json"
	mark := bus.mark()
	bus.inject(input, []byte(`{"characteristicCode":"target-temperature","value":22.5}`), nil)
	s.Step(t0.Add(quiet))
	if e := bus.since(mark, input+"/error"); len(e) != 0 {
		t.Fatalf("setpoint refused: %s", e[0].Payload)
	}
	dps := bus.since(mark, entity+"/datapoints/target-temperature")
	if len(dps) == 0 {
		t.Fatal("no target-temperature datapoint after the setpoint")
	}
	if v := asMap(t, dps[0].Payload)["value"]; v != 22.5 {
		t.Fatalf("next datapoint %s, want the value 22.5", dps[0].Payload)
	}
	if sp := bus.since(mark, entity+"/setpoints/target-temperature"); len(sp) != 1 || asMap(t, sp[0].Payload)["value"] != 22.5 {
		t.Fatalf("setpoint report %v", sp)
	}
	// Later periodic datapoints keep the new value; the room heads for it.
	mark = bus.mark()
	run(s, t0.Add(quiet), t0.Add(2*time.Minute), time.Second)
	for _, m := range bus.since(mark, entity+"/datapoints/target-temperature") {
		if v := asMap(t, m.Payload)["value"]; v != 22.5 {
			t.Fatalf("a later datapoint went back to %v", v)
		}
	}
}

func TestSetpointInputErrors(t *testing.T) {
	s, bus := newTestSim(t, Config{})
	c := hvacOf(t, s)
	input := slugBase + "/input/setpoint/c/" + c.uuid + "/json"
	at := t0
	for _, tc := range []struct{ body, want string }{
		{`{"characteristicCode":"target-temperature","value":22,"colour":1}`, `"colour":["Unknown field."]`},
		{`{"characteristicCode":"target-temperature"}`, `"value":["Missing data for required field."]`},
		{`{"characteristicCode":"target-temperature","value":99}`, `Must be between 5 and 35.`},
		{`{"characteristicCode":"voltage","value":1}`, `characteristic_not_settable`},
		{`{"characteristicCode":"target-temperature","value":"warm"}`, `Not a valid number.`},
	} {
		mark := bus.mark()
		bus.inject(input, []byte(tc.body), nil)
		at = at.Add(quiet)
		s.Step(at)
		e := bus.since(mark, input+"/error")
		if len(e) != 1 || !strings.Contains(string(e[0].Payload), tc.want) || !strings.Contains(string(e[0].Payload), "SOME_DATA_INVALID") {
			t.Errorf("%s: error reply %v, want one containing %q", tc.body, e, tc.want)
		}
		if c.target != 21 {
			t.Fatalf("%s: a refused setpoint changed the target to %v", tc.body, c.target)
		}
	}
	mark := bus.mark()
	bus.inject(slugBase+"/input/setpoint/c/00000000-0000-4000-8000-000000000000/json", []byte(`{"characteristicCode":"brightness","value":1}`), nil)
	s.Step(at.Add(quiet))
	if e := bus.since(mark, slugBase+"/input/#"); len(e) != 2 || !strings.Contains(string(e[1].Payload), "component_does_not_exist") {
		t.Fatalf("unknown component: %v", e)
	}
}
