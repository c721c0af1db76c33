package platform

// Platform names, as Route.Platform and Scheme.Name report them.
const (
	DRIVR      = "drivr"
	Drogue     = "drogue"
	DevAPI     = "devapi"
	SmartWorks = "smartworks"
	Generic    = "generic"
)

// Kinds shared by every platform.
const (
	KindUnknown Kind = "unknown" // the platform's prefix, but a shape we do not know: show it raw
	KindRaw     Kind = "raw"     // generic scheme: no grammar applies
)

// DRIVR kinds. A Component field that is set means the component-level
// variant (a component's connection state, datapoint, event, ...).
const (
	KindDomain              Kind = "domain"                // drivr/v1/{slug}
	KindDomainState         Kind = "domain_state"          // drivr/v1/{slug}/state
	KindOrganization        Kind = "organization"          // organizations/{uuid}
	KindOrganizationState   Kind = "organization_state"    // organizations/{uuid}/state
	KindSystem              Kind = "system"                // systems/{uuid}
	KindSystemState         Kind = "system_state"          // systems/{uuid}/state (lifecycle)
	KindConnectionState     Kind = "connection_state"      // systems/{uuid}[/components/{code}]/connection|connectionState
	KindComponent           Kind = "component"             // systems/{uuid}/components/{code}
	KindComponentState      Kind = "component_state"       // .../components/{code}/state (lifecycle)
	KindEventModel          Kind = "event_model"           // eventModels/{uuid}
	KindEventModelState     Kind = "event_model_state"     // eventModels/{uuid}/state
	KindComponentModel      Kind = "component_model"       // componentModels/{uuid}
	KindComponentModelState Kind = "component_model_state" // componentModels/{uuid}/state
	KindEvent               Kind = "event"                 // .../events/{eventUuid}
	KindEventState          Kind = "event_state"           // .../events/{eventUuid}/state (ACTIVE, RESOLVED)
	KindEventAck            Kind = "event_ack"             // .../events/{eventUuid}/ack ({time, userUuid})
	KindDatapoint           Kind = "datapoint"             // .../datapoints/{name} (assumed path)
	KindSetpoint            Kind = "setpoint"              // .../setpoints/{name} (assumed path)
	KindSetpointAck         Kind = "setpoint_ack"          // .../setpoints/{name}/ack (assumed path)
	KindInput               Kind = "input"                 // input/... echo of a request
	KindError               Kind = "error"                 // input/.../error: the platform's error report
	KindJWKS                Kind = "jwks"                  // drivr/v1/{slug}/jwks
	KindLocalAPITokens      Kind = "local_api_tokens"      // authorization/localApiTokens/...: Secret, never shown
)

// Drogue Cloud kinds. Device, connection and registry events come from the
// CloudEvent type; KindCloudEvent is an app stream message whose type is
// not known yet (structured mode before Refine) or not one of Drogue's.
const (
	KindDeviceEvent     Kind = "device_event"     // io.drogue.event.v1
	KindConnectionEvent Kind = "connection_event" // io.drogue.connection.v1
	KindRegistryEvent   Kind = "registry_event"   // io.drogue.registry.v1
	KindCloudEvent      Kind = "cloudevent"       // app/{app}, type unknown
	KindCommand         Kind = "command"          // command/{app}/{device}/{command}; device API .../command (server push)
)

// Device API (Xyte v1/device/{id}/...) kinds, one per topic of seed 003 and
// platforms.md §3.2.
const (
	KindTelemetry     Kind = "telemetry"      // telemetry
	KindConfig        Kind = "config"         // config
	KindConfigUpdate  Kind = "config_update"  // config/update
	KindCommands      Kind = "commands"       // commands (command object, operator/server request)
	KindCommandUpdate Kind = "command_update" // commands/update ({id, status, message})
	KindChildCommand  Kind = "child_command"  // command/children
	KindLicense       Kind = "license"        // license
	KindLicenseUpdate Kind = "license_update" // license/update
	KindSpaceInfo     Kind = "space_info"     // space_info
	KindFirmware      Kind = "firmware"       // firmware
	KindIncidents     Kind = "incidents"      // incidents
	KindUpdate        Kind = "update"         // update (device fields)
	KindCloudSettings Kind = "cloud_settings" // cloud_settings/update
	KindGet           Kind = "get"            // get (snapshot request)
	KindGetResponse   Kind = "get_response"   // get/response (the response topic mqdeck asks for)
)

// SmartWorks kinds; Route.Side says "status" or "set".
const (
	KindProperty   Kind = "property"    // .../things/{thing}/properties[/{name}]
	KindAction     Kind = "action"      // .../things/{thing}/actions[/{name}[/{id}]]
	KindThingEvent Kind = "thing_event" // .../things/{thing}/events[/{name}]
	KindRawData    Kind = "raw_data"    // .../things/{thing}/data
)

// Kinds lists every kind a scheme can return, for documentation, the CLI's
// help and tests. It returns a new slice on each call.
func Kinds() []Kind {
	return []Kind{
		KindUnknown, KindRaw,
		KindDomain, KindDomainState, KindOrganization, KindOrganizationState,
		KindSystem, KindSystemState, KindConnectionState, KindComponent, KindComponentState,
		KindEventModel, KindEventModelState, KindComponentModel, KindComponentModelState,
		KindEvent, KindEventState, KindEventAck, KindDatapoint, KindSetpoint, KindSetpointAck,
		KindInput, KindError, KindJWKS, KindLocalAPITokens,
		KindDeviceEvent, KindConnectionEvent, KindRegistryEvent, KindCloudEvent, KindCommand,
		KindTelemetry, KindConfig, KindConfigUpdate, KindCommands, KindCommandUpdate, KindChildCommand,
		KindLicense, KindLicenseUpdate, KindSpaceInfo, KindFirmware, KindIncidents, KindUpdate,
		KindCloudSettings, KindGet, KindGetResponse,
		KindProperty, KindAction, KindThingEvent, KindRawData,
	}
}
