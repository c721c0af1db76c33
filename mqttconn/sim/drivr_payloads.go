package sim

// DRIVR payloads, fields in the order of platforms.md §1.3 and seed 001.

func (d *drivrSim) domainNode() node {
	created := pyTime(fleetEpoch)
	return obj(
		kv("uuid", str(d.domainUUID)),
		kv("slug", str(d.slug)),
		kv("name", str("Company Example")),
		kv("status", str("ACTIVATED")),
		kv("hostNames", arr(str("https://"+d.slug+".api.drivr.cloud"), str("https://"+d.slug+".ui.drivr.cloud"))),
		kv("ownerUuid", str(d.ownerUUID)),
		kv("domainFeatures", arr(obj(kv("slug", str("UNIQUE_ACCOUNT_ALIAS")), kv("enabled", boolean(true))))),
		kv("createdAt", str(created)),
		kv("updatedAt", str(created)),
	)
}

func (d *drivrSim) componentModelNode(cm *componentModel) node {
	created := pyTime(fleetEpoch)
	return obj(
		kv("uuid", str(cm.uuid)),
		kv("code", str(cm.code)),
		kv("name", str(cm.name)),
		kv("description", str(cm.name+" of the smart building")),
		kv("isConnective", boolean(true)),
		kv("componentType", str("DEVICE")),
		kv("domainUuid", str(d.domainUUID)),
		kv("metadata", obj()),
		kv("status", str("ACTIVATED")),
		kv("createdAt", str(created)),
		kv("updatedAt", str(created)),
	)
}

func (d *drivrSim) eventModelNode(m *eventModel) node {
	created := pyTime(fleetEpoch)
	return obj(
		kv("uuid", str(m.uuid)),
		kv("code", str(m.code)),
		kv("eventLevel", str(m.eventLevel)),
		kv("eventType", str(m.eventType)),
		kv("entityType", str(m.entityType)),
		kv("limitToPrototypes", boolean(false)),
		kv("message", strOrNull(m.message)),
		kv("domainUuid", str(d.domainUUID)),
		kv("metadata", obj()),
		kv("status", str("ACTIVATED")),
		kv("createdAt", str(created)),
		kv("updatedAt", str(created)),
	)
}

// systemNode is a System (§1.3.5) with its connection state.
func (d *drivrSim) systemNode(sys *drivrSystem) node {
	return obj(
		kv("uuid", str(sys.uuid)),
		kv("code", str(sys.code)),
		kv("name", str(sys.name)),
		kv("description", str(sys.description)),
		kv("connectionState", str(connWord(sys.connected))),
		kv("connectionStateUpdatedAt", str(pyTime(sys.connSince))),
		kv("status", str("ACTIVATED")),
		kv("metadata", obj(kv("building", str(sys.building)))),
		kv("domainUuid", str(d.domainUUID)),
		kv("ownerUuid", str(d.ownerUUID)),
		kv("createdAt", str(pyTime(fleetEpoch))),
		kv("updatedAt", str(pyTime(sys.updated))),
	)
}

// componentNode follows the [U] shape of platforms.md §1.3.7.
func (d *drivrSim) componentNode(c *drivrComponent) node {
	return obj(
		kv("uuid", str(c.uuid)),
		kv("code", str(c.code)),
		kv("name", str(c.name)),
		kv("componentModelUuid", str(c.model.uuid)),
		kv("systemUuid", str(c.sys.uuid)),
		kv("connectionState", str(connWord(c.sys.connected))),
		kv("status", str("ACTIVATED")),
		kv("metadata", obj()),
		kv("createdAt", str(pyTime(fleetEpoch))),
		kv("updatedAt", str(pyTime(c.sys.updated))),
	)
}

// eventNode is the event entity exactly as seed 001 prints it.
func (d *drivrSim) eventNode(e *drivrEvent) node {
	entity := e.sys.uuid
	if e.comp != nil {
		entity = e.comp.uuid
	}
	m := e.model
	return obj(
		kv("uuid", str(e.uuid)),
		kv("createdAt", str(pyNaive(e.created))),
		kv("updatedAt", str(pyNaive(e.updated))),
		kv("entityUuid", str(entity)),
		kv("time", str(e.time)),
		kv("endTime", strOrNull(e.endTime)),
		kv("status", strOrNull(e.status)),
		kv("acknowledged", boolean(e.acked)),
		kv("eventModel", obj(
			kv("uuid", str(m.uuid)),
			kv("entityType", str(m.entityType)),
			kv("eventType", str(m.eventType)),
			kv("eventLevel", str(m.eventLevel)),
			kv("code", str(m.code)),
			kv("message", strOrNull(m.message)),
		)),
		kv("metadata", e.metadata),
	)
}
