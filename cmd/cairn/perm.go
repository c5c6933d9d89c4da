package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/cairn-chain/cairn/api/wire"
	"github.com/cairn-chain/cairn/client"
	"github.com/cairn-chain/cairn/core"
	"github.com/spf13/cobra"
)

func newPermCmd(g *globals) *cobra.Command {
	return group("perm", "Grant, revoke and list account permissions",
		`Account permissions of a private chain (docs/protocol.md). The genesis
("cairn genesis new --admin ... --restrict ROLE --member ROLE=ADDRESS")
fixes which roles are restricted and names the first admins and members:

  submit   send any tx at all
  issue    create assets (asset create)
  deploy   deploy contracts (contract deploy)
  admin    grant and revoke every role, admin included; an admin holds
           every role

Admins change the members with perm_grant and perm_revoke txs, which take
effect from the block after the one holding them. A sender without a
restricted role is refused with 403 not_permitted, and a block holding its
tx is invalid. The chain's last admin cannot be revoked.`,
		newPermChangeCmd(g, true), newPermChangeCmd(g, false), newPermListCmd(g), newPermShowCmd(g))
}

func newPermChangeCmd(g *globals, grant bool) *cobra.Command {
	o := &bodyOpts{}
	var role, address string
	use, short, example := "grant", "Grant a role to an address (admins only)",
		`  cairn perm grant --role submit --address cairn1... --from admin --wait
  cairn perm grant --role admin --address bob --keystore ./keystore --from admin`
	if !grant {
		use, short, example = "revoke", "Revoke a role from an address (admins only)",
			`  cairn perm revoke --role submit --address cairn1... --from admin --wait`
	}
	cmd := &cobra.Command{
		Use:   use + " --role admin|submit|issue|deploy --address ADDRESS|WALLET --from NAME|ADDRESS",
		Short: short,
		Long: short + `.

The perm_` + use + ` tx is sent by --from, which must be an admin, and takes
effect from the block after the one holding it. --address is an address,
or the name of a wallet in the keystore. Prints the tx id; --wait waits
for its block. A refusal (not_permitted, already_member, not_member,
last_admin) exits 1 with the node's code and detail.`,
		Example: example,
		Args:    noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.checkUsage(cmd, "role", "address"); err != nil {
				return err
			}
			r, err := core.ParseRole(strings.TrimSpace(role))
			if err != nil {
				return usageError{fmt.Errorf("--role: %v", err)}
			}
			return o.submitBody(cmd, g, func(s *session) (core.Body, error) {
				a, err := walletOrAddress(&o.keys, "address", address, s.ci.prefix)
				if err != nil {
					return nil, err
				}
				if grant {
					return &core.PermGrant{Role: r.String(), Address: a}, nil
				}
				return &core.PermRevoke{Role: r.String(), Address: a}, nil
			}, nil)
		},
	}
	o.register(cmd)
	f := cmd.Flags()
	f.StringVar(&role, "role", "", "the role: admin, submit, issue or deploy (required)")
	f.StringVar(&address, "address", "", "the address, or a wallet of the keystore (required)")
	return cmd
}

func newPermListCmd(g *globals) *cobra.Command {
	var (
		asJSON bool
		role   string
	)
	cmd := &cobra.Command{
		Use:   "list [--role ROLE]",
		Short: "List the admins and each role's members",
		Long: `List the chain's account permissions at the tip: the admins, and for submit,
issue and deploy whether the role is restricted and its members, each with
the height that granted it (0: the genesis). A list of more than 100 shows
its first 100 and its count; --role lists all of one role's members
(admin, submit, issue or deploy), page by page from the node.`,
		Example: `  cairn perm list
  cairn perm list --role submit
  cairn perm list --json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if role != "" {
				if _, err := core.ParseRole(role); err != nil {
					return usageError{fmt.Errorf("--role: %v", err)}
				}
			}
			c, err := g.client(false)
			if err != nil {
				return err
			}
			if role != "" {
				pg, err := allPermMembers(cmd.Context(), c, role, cmd.ErrOrStderr())
				if err != nil {
					return err
				}
				if asJSON {
					return printJSON(cmd.OutOrStdout(), pg)
				}
				printPermRole(cmd.OutOrStdout(), pg)
				return nil
			}
			p, err := c.Permissions(cmd.Context())
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(cmd.OutOrStdout(), p)
			}
			printPermissions(cmd.OutOrStdout(), p)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the node's JSON answer (with --role: every page's members in one answer)")
	cmd.Flags().StringVar(&role, "role", "", "list all members of this role: admin, submit, issue or deploy")
	return cmd
}

// allPermMembers reads every page of role's members. A block landing
// between two pages makes the list straddle two tips (a grant or revoke
// in between could be missed or doubled), so it reads again from the
// start, up to three times, and then says so on warn.
func allPermMembers(ctx context.Context, c *client.Client, role string, warn io.Writer) (*wire.PermMembersPage, error) {
	const pageSize, attempts = 1000, 3
	for attempt := 1; ; attempt++ {
		var all *wire.PermMembersPage
		var last *wire.PermMembersPage
		after := ""
		for {
			pg, err := c.PermissionMembers(ctx, role, pageSize, after)
			if err != nil {
				return nil, err
			}
			if all == nil {
				all = pg
			} else {
				all.Members = append(all.Members, pg.Members...)
			}
			last = pg
			if pg.Next == "" {
				break
			}
			after = pg.Next
		}
		all.Next = ""
		if last.Hash == all.Hash {
			return all, nil
		}
		if attempt == attempts {
			fmt.Fprintf(warn, "warning: blocks kept landing while the %s members were read (heights %d to %d, %d times): a grant or revoke among them may be missing from the list\n", role, all.Height, last.Height, attempts)
			return all, nil
		}
	}
}

func printPermRole(w io.Writer, pg *wire.PermMembersPage) {
	fmt.Fprintf(w, "%s members at height %d (%s)\n", pg.Role, pg.Height, pg.Hash)
	switch {
	case !pg.Enabled:
		fmt.Fprintln(w, "this chain has no permissions: anyone may send any tx, and there are no admins")
		return
	case !pg.Restricted:
		fmt.Fprintf(w, "%s: open, anyone may %s (no members)\n", pg.Role, roleAction(pg.Role))
		return
	case pg.Role == core.RoleAdmin.String():
		fmt.Fprintf(w, "admin: %s\n", plural(pg.Count, "admin"))
	default:
		fmt.Fprintf(w, "%s: restricted to %s and the admins\n", pg.Role, plural(pg.Count, "member"))
	}
	printPermMembers(w, pg.Role, pg.Members, pg.Count)
}

// printPermMembers prints a role's members, one a line, and how many
// more the node holds than are listed.
func printPermMembers(w io.Writer, role string, ms []wire.PermMember, count uint64) {
	for _, m := range ms {
		fmt.Fprintf(w, "  %s  since height %d\n", m.Address, m.Since)
	}
	if count > uint64(len(ms)) {
		fmt.Fprintf(w, "  ... and %d more (cairn perm list --role %s)\n", count-uint64(len(ms)), role)
	}
}

func newPermShowCmd(g *globals) *cobra.Command {
	var (
		keys    keyFlags
		address string
		asJSON  bool
	)
	cmd := &cobra.Command{
		Use:   "show --address ADDRESS|WALLET",
		Short: "Show what one address may do: admin or not, and each role",
		Long: `Show one address's permissions at the tip: whether it is an admin, and for
submit, issue and deploy whether the role is restricted, whether the
address holds it (and since which height) and whether it may do what the
role covers. --address is an address, or the name of a wallet in the
keystore.`,
		Example: `  cairn perm show --address cairn1...
  cairn perm show --address alice --keystore ./keystore --json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if strings.TrimSpace(address) == "" {
				return usageError{fmt.Errorf("--address is required: an address, or a wallet of the keystore")}
			}
			c, err := g.client(false)
			if err != nil {
				return err
			}
			st, err := c.Status(cmd.Context())
			if err != nil {
				return err
			}
			a, err := walletOrAddress(&keys, "address", address, st.AddressPrefix)
			if err != nil {
				return err
			}
			p, err := c.AccountPermissions(cmd.Context(), a.Encode(st.AddressPrefix))
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(cmd.OutOrStdout(), p)
			}
			printAccountPermissions(cmd.OutOrStdout(), p)
			return nil
		},
	}
	keys.register(cmd, false)
	f := cmd.Flags()
	f.StringVar(&address, "address", "", "the address, or a wallet of the keystore (required)")
	f.BoolVar(&asJSON, "json", false, "print the node's JSON answer")
	return cmd
}

// printAccountPermissions prints GET /permissions/{address} as a person
// reads it.
func printAccountPermissions(w io.Writer, p *wire.AccountPermissions) {
	fmt.Fprintf(w, "permissions of %s at height %d (%s)\n", p.Address, p.Height, p.Hash)
	if !p.Enabled {
		fmt.Fprintln(w, "this chain has no permissions: it may send any tx; nobody is an admin")
		return
	}
	if p.Admin {
		fmt.Fprintf(w, "admin: yes, since height %d (grants and revokes roles; holds every role)\n", *p.AdminSince)
	} else {
		fmt.Fprintln(w, "admin: no")
	}
	for _, r := range p.Roles {
		may := "may"
		if !r.Permitted {
			may = "may not"
		}
		why := "the role is open"
		switch {
		case r.Member:
			why = fmt.Sprintf("a member since height %d", *r.Since)
		case r.Restricted && p.Admin:
			why = "restricted; an admin"
		case r.Restricted:
			why = "restricted, and it is not a member"
		}
		fmt.Fprintf(w, "%-7s %s %s (%s)\n", r.Role+":", may, roleAction(r.Role), why)
	}
}

// roleAction says what a role lets its holder do.
func roleAction(role string) string {
	switch role {
	case "submit":
		return "send txs"
	case "issue":
		return "create assets"
	case "deploy":
		return "deploy contracts"
	}
	return role
}

// printPermissions prints GET /permissions as a person reads it.
func printPermissions(w io.Writer, p *wire.Permissions) {
	fmt.Fprintf(w, "permissions at height %d (%s)\n", p.Height, p.Hash)
	if !p.Enabled {
		fmt.Fprintln(w, "this chain has no permissions: anyone may send any tx, and there are no admins")
		return
	}
	fmt.Fprintf(w, "admin: %s (grant and revoke roles; hold every role)\n", plural(p.AdminsCount, "admin"))
	printPermMembers(w, "admin", p.Admins, p.AdminsCount)
	for _, r := range p.Roles {
		switch {
		case !r.Restricted:
			fmt.Fprintf(w, "%s: open, anyone may %s\n", r.Role, roleAction(r.Role))
		case r.Count == 0:
			fmt.Fprintf(w, "%s: restricted to the admins (no members)\n", r.Role)
		default:
			fmt.Fprintf(w, "%s: restricted to %s and the admins\n", r.Role, plural(r.Count, "member"))
		}
		printPermMembers(w, r.Role, r.Members, r.Count)
	}
}

// walletOrAddress reads a flag naming an account: an address with the
// chain's prefix, or the name of a wallet in the keystore.
func walletOrAddress(keys *keyFlags, flag, v, prefix string) (core.Address, error) {
	v = strings.TrimSpace(v)
	a, perr := core.ParseAddress(v, prefix)
	if perr == nil {
		return a, nil
	} else if strings.HasPrefix(v, prefix+"1") {
		return a, usageError{fmt.Errorf("--%s %q: %v", flag, v, perr)}
	}
	// Not this chain's address: a wallet's name, or an address to explain
	// (another prefix, a typo), so both readings are named in the error;
	// the address's fault only when v looks like one (bech32 has a '1').
	notAddr := "not an address"
	if strings.Contains(v, "1") {
		notAddr += " (" + perr.Error() + ")"
	}
	ks, err := keys.open(false)
	if err != nil {
		return core.Address{}, fmt.Errorf("--%s %q: %s, and no keystore to find a wallet in: %v", flag, v, notAddr, err)
	}
	e, err := findKey(ks, v, prefix)
	if err != nil {
		return core.Address{}, fmt.Errorf("--%s %q: %s, nor a wallet: %v", flag, v, notAddr, err)
	}
	return e.Address, nil
}

// genesisPermissions builds a genesis's permissions from `genesis new`'s
// --admin, --restrict and --member flags (nil when none is given).
func genesisPermissions(keys *keyFlags, admins, restrict, members []string, prefix string) (*core.Permissions, error) {
	if len(admins) == 0 && len(restrict) == 0 && len(members) == 0 {
		return nil, nil
	}
	p := &core.Permissions{}
	for _, s := range admins {
		a, err := walletOrAddress(keys, "admin", s, prefix)
		if err != nil {
			return nil, err
		}
		p.Admins = append(p.Admins, a)
	}
	policy := func(flag, name string) (*core.RolePolicy, error) {
		r, err := core.ParseRole(strings.TrimSpace(name))
		if err == nil && r == core.RoleAdmin {
			err = fmt.Errorf("admin is always restricted: name admins with --admin")
		}
		if err != nil {
			return nil, usageError{fmt.Errorf("--%s %q: %v", flag, name, err)}
		}
		return p.Policy(r), nil
	}
	for _, s := range restrict {
		for _, name := range strings.Split(s, ",") {
			pol, err := policy("restrict", name)
			if err != nil {
				return nil, err
			}
			pol.Restricted = true
		}
	}
	for _, s := range members {
		name, who, ok := strings.Cut(s, "=")
		if !ok {
			return nil, usageError{fmt.Errorf("--member %q: want ROLE=ADDRESS (or ROLE=WALLET)", s)}
		}
		pol, err := policy("member", name)
		if err != nil {
			return nil, err
		}
		if !pol.Restricted {
			return nil, usageError{fmt.Errorf("--member %q: %s is not restricted: add --restrict %s", s, strings.TrimSpace(name), strings.TrimSpace(name))}
		}
		a, err := walletOrAddress(keys, "member", who, prefix)
		if err != nil {
			return nil, err
		}
		pol.Members = append(pol.Members, a)
	}
	return p, nil
}

// permSummary is what `genesis new` says of a genesis's permissions: ""
// without any, else the admins and the restricted roles.
func permSummary(p *core.Permissions) string {
	if p == nil {
		return ""
	}
	var restricted []string
	for _, r := range []core.Role{core.RoleSubmit, core.RoleIssue, core.RoleDeploy} {
		if p.Restricted(r) {
			restricted = append(restricted, fmt.Sprintf("%s (%s)", r, plural(uint64(len(p.Members(r))), "member")))
		}
	}
	if len(restricted) == 0 {
		restricted = []string{"none"}
	}
	return fmt.Sprintf(", %s, restricted roles: %s", plural(uint64(len(p.Admins)), "admin"), strings.Join(restricted, ", "))
}
