package actions

// Stand-ins for mqttconn/platform's action topic builders, which were not
// in the tree when this was written. Each is one line of the grammar in
// platforms.md §6.4; replace with the platform package's builders when
// they land.

func drivrEventTopic(slug, scope, entityUUID, enc string) (string, error) {
	return "drivr/v1/" + slug + "/input/event/" + scope + "/" + entityUUID + "/" + enc, nil
}

func drogueCommandTopic(app, device, command string) (string, error) {
	return "command/" + app + "/" + device + "/" + command, nil
}

func devapiTopics(device, what string) (topic, response string, err error) {
	base := "v1/device/" + device + "/" + what
	if what == "get" {
		return base, base + "/response", nil
	}
	return base, base + "/update", nil
}

func smartworksTopic(account, thing, section, name string) (string, error) {
	return "set/" + account + "/things/" + thing + "/" + section + "/" + name, nil
}
