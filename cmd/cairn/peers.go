package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/cairn-chain/cairn/api/wire"
	"github.com/cairn-chain/cairn/node"
	"github.com/cairn-chain/cairn/p2p"
	"github.com/spf13/cobra"
)

// privateFlags are cairn node's private-network flags.
type privateFlags struct {
	allowlist, swarmKey string
}

func (p *privateFlags) register(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&p.allowlist, "peer-allowlist", "", `make the node private: accept, dial and learn only the peers in this JSON `+"`FILE`"+` ([{"peer_id": "12D3KooW...", "label": "acme"}]); the live list is kept in <datadir>/allowlist.json`)
	f.StringVar(&p.swarmKey, "swarm-key", "", "private network pre-shared key `FILE` (cairn swarm-key new): only nodes with the same key can handshake")
}

// apply reads the flags' files into cfg.
func (p *privateFlags) apply(cfg *node.Config) error {
	if p.allowlist != "" {
		data, err := os.ReadFile(p.allowlist)
		if err != nil {
			return fmt.Errorf("--peer-allowlist: %w", err)
		}
		if cfg.PeerAllowlist, err = p2p.ParseAllowlist(data); err != nil {
			return fmt.Errorf("--peer-allowlist %s: %w", p.allowlist, err)
		}
	}
	if p.swarmKey != "" {
		data, err := os.ReadFile(p.swarmKey)
		if err != nil {
			return fmt.Errorf("--swarm-key: %w", err)
		}
		if cfg.SwarmKey, err = p2p.ParseSwarmKey(data); err != nil {
			return fmt.Errorf("--swarm-key %s: %w", p.swarmKey, err)
		}
	}
	return nil
}

func newNodeIDCmd() *cobra.Command {
	var dataDir string
	cmd := &cobra.Command{
		Use:   "id --datadir DIR",
		Short: "Print a node's peer ID (creating its identity key if it has none)",
		Long: `Print the peer ID of the node whose data directory is --datadir: what a
peer allowlist names (--peer-allowlist, cairn peers allow) and what ends a
multiaddr (/p2p/<peer ID>). The ID is derived from the identity key
<datadir>/p2p.key, which is created (mode 0600) if missing, so a new node's
ID can go into the other organisations' allowlists before it first starts.
A node keeps its ID as long as it keeps p2p.key.`,
		Example: `  cairn node id --datadir ./acme
  echo "[{\"peer_id\": \"$(cairn node id --datadir ./acme)\", \"label\": \"acme\"}]" > allowlist.json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := requireFlags(cmd, "datadir"); err != nil {
				return err
			}
			id, err := p2p.PeerIDOf(dataDir)
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), id)
			return nil
		},
	}
	cmd.Flags().StringVar(&dataDir, "datadir", "", "the node's data directory (required)")
	return cmd
}

func newPeersCmd(g *globals) *cobra.Command {
	return group("peers allow|revoke|list", "Change or show a private node's peer allowlist (admin)",
		`A node started with --peer-allowlist FILE is private: it accepts, dials and
learns (by peer exchange) only the peers on its allowlist, by peer ID. These
commands change the running node's list at once, without a restart; the
change persists in <datadir>/allowlist.json. "revoke" also disconnects the
peer at once. A node started without a list refuses changes (409
no_allowlist): the API never makes a public node private.

They are admin commands: give the node's token with --token, CAIRN_TOKEN
or --token-file <datadir>/api.token. See docs/operations.md, "Private
networks".`,
		newPeersAllowCmd(g), newPeersRevokeCmd(g), newPeersListCmd(g))
}

func newPeersAllowCmd(g *globals) *cobra.Command {
	var label, addr string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "allow PEER_ID [--label TEXT] [--addr MULTIADDR]",
		Short: "Admit a peer to the allowlist (and with --addr, connect to it)",
		Example: `  cairn peers allow 12D3KooW... --label globex --token-file ./acme/api.token
  cairn peers allow 12D3KooW... --addr /ip4/10.0.0.7/tcp/30345/p2p/12D3KooW... --token-file ./acme/api.token`,
		Args: exactArgs(1, "one PEER_ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if addr != "" {
				if err := checkPeerAddr(addr, args[0]); err != nil {
					return err
				}
			}
			c, err := g.client(true)
			if err != nil {
				return err
			}
			l, err := c.AllowPeer(cmd.Context(), args[0], label)
			if err != nil {
				return err
			}
			if addr != "" {
				if err := c.AddPeer(cmd.Context(), addr); err != nil {
					return fmt.Errorf("%s is allowed, but connecting to %s failed (it may still connect to this node): %w", args[0], addr, err)
				}
			}
			if asJSON {
				return printJSON(cmd.OutOrStdout(), l)
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "allowed %s%s\n", args[0], labelSuffix(label))
			if addr != "" {
				fmt.Fprintf(w, "connected to %s\n", addr)
			}
			printAllowlist(w, l)
			return nil
		},
	}
	cmd.Flags().StringVar(&label, "label", "", "a name for people: the organisation or host (up to 128 bytes)")
	cmd.Flags().StringVar(&addr, "addr", "", "also connect to the peer at this multiaddr (ending in /p2p/PEER_ID)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the node's JSON answer (the list)")
	return cmd
}

// checkPeerAddr checks that --addr names the peer being allowed.
func checkPeerAddr(addr, id string) error {
	const sep = "/p2p/"
	for i := len(addr) - len(sep); i >= 0; i-- {
		if addr[i:i+len(sep)] == sep {
			if got := addr[i+len(sep):]; got != id {
				return usageError{fmt.Errorf("--addr %s names peer %s, not %s", addr, got, id)}
			}
			return nil
		}
	}
	return usageError{fmt.Errorf("--addr %s: want a multiaddr ending in /p2p/%s", addr, id)}
}

func newPeersRevokeCmd(g *globals) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:     "revoke PEER_ID",
		Short:   "Remove a peer from the allowlist and disconnect it at once",
		Example: `  cairn peers revoke 12D3KooW... --token-file ./acme/api.token`,
		Args:    exactArgs(1, "one PEER_ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client(true)
			if err != nil {
				return err
			}
			// Asked first only to say truthfully whether it was cut off.
			was := false
			if before, err := c.Allowlist(cmd.Context()); err == nil {
				for _, p := range before.Peers {
					was = was || p.PeerID == args[0] && p.Connected
				}
			}
			l, err := c.RevokePeer(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			if asJSON {
				return printJSON(cmd.OutOrStdout(), l)
			}
			if was {
				fmt.Fprintf(cmd.OutOrStdout(), "revoked %s: disconnected at once, and refused from now on\n", args[0])
			} else {
				fmt.Fprintf(cmd.OutOrStdout(), "revoked %s: it was not connected; refused from now on\n", args[0])
			}
			printAllowlist(cmd.OutOrStdout(), l)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the node's JSON answer (the list)")
	return cmd
}

func newPeersListCmd(g *globals) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "Show the allowlist, and which of its peers are connected",
		Long: `Show the node's peer allowlist: each peer ID, its label, and whether it is
connected now. With --json, the list in the --peer-allowlist file format
(save it to carry the API's changes into the file).`,
		Example: `  cairn peers list --token-file ./acme/api.token
  cairn peers list --json --token-file ./acme/api.token > allowlist.json`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := g.client(true)
			if err != nil {
				return err
			}
			l, err := c.Allowlist(cmd.Context())
			if err != nil {
				return err
			}
			if asJSON {
				out := []p2p.AllowEntry{}
				for _, p := range l.Peers {
					out = append(out, p2p.AllowEntry{PeerID: p.PeerID, Label: p.Label})
				}
				return printJSON(cmd.OutOrStdout(), out)
			}
			printAllowlist(cmd.OutOrStdout(), l)
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the list as a --peer-allowlist file")
	return cmd
}

func labelSuffix(l string) string {
	if l == "" {
		return ""
	}
	return fmt.Sprintf(" (%s)", l)
}

func printAllowlist(w io.Writer, l *wire.Allowlist) {
	if !l.Enabled {
		fmt.Fprintln(w, "this node has no peer allowlist: it accepts any peer (start it with --peer-allowlist FILE to make it private)")
		return
	}
	conn, others := 0, 0
	for _, p := range l.Peers {
		if p.Connected {
			conn++
		}
		if !p.Self {
			others++
		}
	}
	fmt.Fprintf(w, "peer allowlist: %d other peer(s), %d connected\n", others, conn)
	for _, p := range l.Peers {
		state := "not connected"
		switch {
		case p.Self:
			state = "this node"
		case p.Connected:
			state = "connected"
		}
		fmt.Fprintf(w, "  %-52s  %-13s  %s\n", p.PeerID, state, p.Label)
	}
}

// printPrivate adds the private-network lines to the node's banner.
func printPrivate(w io.Writer, n *node.Node, cfg node.Config) {
	if n.Net == nil {
		return
	}
	if l, ok := n.Net.Allowlist(); ok {
		fmt.Fprintf(w, "  private   peer allowlist of %d peer(s) (%s; cairn peers list)\n", len(l), filepath.Join(cfg.DataDir, p2p.AllowlistFile))
	}
	if cfg.SwarmKey != nil {
		fmt.Fprintf(w, "  swarm key on: only nodes with the same key can handshake\n")
	}
}
