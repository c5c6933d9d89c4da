package wire

// Permissions is GET /api/v1/permissions: the chain's account permissions
// at the tip. Enabled is false on a chain whose genesis has none (then
// nothing is restricted and there are no admins).
type Permissions struct {
	Height  uint64       `json:"height" doc:"The tip the lists were read at"`
	Hash    string       `json:"hash"`
	Enabled bool         `json:"enabled" doc:"Whether the genesis has permissions; false: nothing is restricted, no admins"`
	Admins  []PermMember `json:"admins" doc:"The admins: they grant and revoke every role, admin included, and hold every role. At most limit of them, in address order"`
	// AdminsCount and AdminsNext page the admins as a role's Count and
	// Next page its members.
	AdminsCount uint64     `json:"admins_count" doc:"How many admins there are"`
	AdminsNext  string     `json:"admins_next,omitempty" doc:"Set when admins holds only the first limit: the after cursor of GET /api/v1/permissions/roles/admin for the rest"`
	Roles       []PermRole `json:"roles" doc:"submit, issue and deploy, in this order"`
}

// PermRole is one restrictable role.
type PermRole struct {
	Role       string       `json:"role" enum:"submit,issue,deploy" doc:"submit: send any tx; issue: asset_create; deploy: contract_deploy"`
	Restricted bool         `json:"restricted" doc:"Fixed by the genesis. false: anyone may; true: only its members and the admins"`
	Members    []PermMember `json:"members" doc:"In address order, at most limit of them (none when not restricted)"`
	Count      uint64       `json:"count" doc:"How many members the role has"`
	Next       string       `json:"next,omitempty" doc:"Set when members holds only the first limit: the after cursor of GET /api/v1/permissions/roles/{role} for the rest"`
}

// PermMembersPage is GET /api/v1/permissions/roles/{role}: one page of a
// role's members at the tip.
type PermMembersPage struct {
	Height     uint64       `json:"height" doc:"The tip the page was read at"`
	Hash       string       `json:"hash"`
	Enabled    bool         `json:"enabled" doc:"Whether the genesis has permissions; false: nothing is restricted, no admins"`
	Role       string       `json:"role" enum:"admin,submit,issue,deploy"`
	Restricted bool         `json:"restricted" doc:"Fixed by the genesis (admin always is, on a chain with permissions)"`
	Count      uint64       `json:"count" doc:"How many members the role has"`
	Members    []PermMember `json:"members" doc:"In address order, after the cursor"`
	Next       string       `json:"next,omitempty" doc:"Cursor of the next page (an address); absent on the last page"`
}

// PermMember is one address holding a role.
type PermMember struct {
	Address string `json:"address"`
	Since   uint64 `json:"since" doc:"Height of the block that granted it (0: the genesis)"`
}

// AccountPermissions is GET /permissions/{address}: what one address may
// do at the tip.
type AccountPermissions struct {
	Address    string        `json:"address"`
	Height     uint64        `json:"height" doc:"The tip it was read at"`
	Hash       string        `json:"hash"`
	Enabled    bool          `json:"enabled" doc:"Whether the genesis has permissions; false: nothing is restricted, no admins"`
	Admin      bool          `json:"admin" doc:"An admin grants and revokes roles and holds every role"`
	AdminSince *uint64       `json:"admin_since,omitempty" doc:"Height of the block that made it an admin (0: the genesis)"`
	Roles      []AccountRole `json:"roles" doc:"submit, issue and deploy, in this order"`
}

// AccountRole is one role as it applies to one address.
type AccountRole struct {
	Role       string  `json:"role" enum:"submit,issue,deploy"`
	Restricted bool    `json:"restricted" doc:"Fixed by the genesis"`
	Member     bool    `json:"member" doc:"Holds the role itself (an admin holds every role without being a member)"`
	Since      *uint64 `json:"since,omitempty" doc:"Height of the block that granted it (0: the genesis)"`
	Permitted  bool    `json:"permitted" doc:"May do what the role covers: the role is not restricted, or the address is a member or an admin"`
}
