package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/cairn-chain/cairn/p2p"
	"github.com/spf13/cobra"
)

func newSwarmKeyCmd() *cobra.Command {
	return group("swarm-key new", "Make a private network's swarm key (a shared pre-shared key)",
		`A swarm key (libp2p's private-network pre-shared key, in the standard
/key/swarm/psk/1.0.0/ file format) encrypts every connection below the
handshake: a node started without the same --swarm-key FILE cannot even
finish a handshake with the network's nodes.

It is an optional outer layer, not access control per node: every member
holds the same key, so it cannot be revoked from one organisation. To
remove one, revoke its peer ID from every allowlist (cairn peers revoke) and,
if it must not even handshake, make a new key and restart every other node
with it. See docs/operations.md, "Private networks".`,
		newSwarmKeyNewCmd())
}

func newSwarmKeyNewCmd() *cobra.Command {
	var out string
	var force bool
	cmd := &cobra.Command{
		Use:   "new [--out FILE]",
		Short: "Make a new random swarm key (to --out, mode 0600, or to standard output)",
		Example: `  cairn swarm-key new --out swarm.key
  cairn node --datadir ./acme --swarm-key swarm.key --peer-allowlist allowlist.json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			key, err := p2p.NewSwarmKey()
			if err != nil {
				return err
			}
			if out == "" {
				_, err := cmd.OutOrStdout().Write(key)
				return err
			}
			flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
			if force {
				flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
			}
			f, err := os.OpenFile(out, flags, 0o600)
			if errors.Is(err, fs.ErrExist) {
				return fmt.Errorf("--out %s exists: a new key would cut its nodes off from each other (--force replaces it)", out)
			}
			if err != nil {
				return fmt.Errorf("--out: %w", err)
			}
			if _, err := f.Write(key); err != nil {
				f.Close()
				return fmt.Errorf("--out: %w", err)
			}
			if err := f.Close(); err != nil {
				return fmt.Errorf("--out: %w", err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote a new swarm key to %s (mode 0600)\n", out)
			fmt.Fprintln(cmd.OutOrStdout(), "copy it to every node of the network over a secure channel and start each with --swarm-key FILE;")
			fmt.Fprintln(cmd.OutOrStdout(), "it is shared by all members and cannot be revoked from one: to remove a member, make a new key for the others")
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "write the key to this `FILE` (mode 0600; refused if it exists)")
	cmd.Flags().BoolVar(&force, "force", false, "with --out, replace an existing file")
	return cmd
}
