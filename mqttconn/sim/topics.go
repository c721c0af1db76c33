package sim

import "github.com/mqdeck/mqdeck/mqttconn/platform"

// Every topic string the simulator builds or listens on, in one place. The
// DRIVR event, state, ack, input and error shapes are seed 001's; the
// connection state and datapoint levels are the [U] shapes that
// mqttconn/platform routes (connectionState, datapoints/{name}). Where
// mqttconn/platform has a builder (device API, SmartWorks), it is used.

func drivrBase(slug string) string { return "drivr/v1/" + slug }

func drivrSystemTopic(slug, sys string) string { return drivrBase(slug) + "/systems/" + sys }

func drivrComponentTopic(slug, sys, code string) string {
	return drivrSystemTopic(slug, sys) + "/components/" + code
}

func drivrConnTopic(entity string) string { return entity + "/connectionState" }

func drivrStateTopic(entity string) string { return entity + "/state" }

func drivrDatapointTopic(entity, name string) string { return entity + "/datapoints/" + name }

// drivrEventTopic is {entity}/events/{uuid}; entity is a system or
// component topic. /state and /ack hang below it.
func drivrEventTopic(entity, event string) string { return entity + "/events/" + event }

func drivrEventModelTopic(slug, model string) string {
	return drivrBase(slug) + "/eventModels/" + model
}

func drivrComponentModelTopic(slug, model string) string {
	return drivrBase(slug) + "/componentModels/" + model
}

// drivrInputFilter is where operator requests arrive.
func drivrInputFilter(slug string) string { return drivrBase(slug) + "/input/#" }

// drivrInputPrefix precedes event/s|c/{uuid}/{enc} and system/{uuid}/{enc}.
func drivrInputPrefix(slug string) string { return drivrBase(slug) + "/input/" }

func drogueAppTopic(app string) string { return "app/" + app }

// drogueCommandFilter: command/{app}/{device}/{command}.
func drogueCommandFilter(app string) string { return "command/" + app + "/+/+" }

// devTopic is v1/device/{id}/{what}. Ids are the simulator's own or came
// from a topic that matched, so the builder's validation cannot fail; an
// empty topic would only make that publish fail and be counted.
func devTopic(id, what string) string {
	t, _ := platform.DeviceTopic(id, what)
	return t
}

// devFilters are the device API topics the platform side of the simulator
// answers: operator commands, config and license pushes, snapshot requests.
func devFilters() []string {
	return []string{"v1/device/+/commands", "v1/device/+/config", "v1/device/+/license", "v1/device/+/get"}
}

func swStatus(account, thing, kind, name string) string {
	t, _ := platform.ThingTopic("status", platform.ThingRef{Account: account, Thing: thing}, kind, name)
	return t
}

// swSetFilter: set/{account}/things/{thing}/{properties|actions|events}[/...].
func swSetFilter(account string) string { return "set/" + account + "/things/#" }
