package wire

// Permissions is GET /api/v1/permissions: the chain's account permissions
// at the tip. Enabled is false on a chain whose genesis has none (then
// nothing is restricted and there are no admins).
type Permissions struct {
	Height  uint64       `json:"height" doc:"The tip the lists were read at"`
	Hash    string       `json:"hash"`
	Enabled bool         `json:"enabled" doc:"Whether the genesis has permissions; false: nothing is restricted, no admins"`
	Admins  []PermMember `json:"admins" doc:"The admins: they grant and revoke every role, admin included, and hold every role"`
	Roles   []PermRole   `json:"roles" doc:"submit, issue and deploy, in this order"`
}

// PermRole is one restrictable role.
type PermRole struct {
	Role       string       `json:"role" enum:"submit,issue,deploy" doc:"submit: send any tx; issue: asset_create; deploy: contract_deploy"`
	Restricted bool         `json:"restricted" doc:"Fixed by the genesis. false: anyone may; true: only its members and the admins"`
	Members    []PermMember `json:"members" doc:"In address order (none when not restricted)"`
}

// PermMember is one address holding a role.
type PermMember struct {
	Address string `json:"address"`
	Since   uint64 `json:"since" doc:"Height of the block that granted it (0: the genesis)"`
}
