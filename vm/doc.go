// Package vm runs Cairn's WebAssembly contracts on wazero: the deploy
// pipeline (size cap, full validation of the original module, the
// determinism rules and gas injection of vm/meter, compilation), a cache of
// compiled modules, pools of instances restored to their initial memory
// and globals after every call, and the host ABI of docs/contracts.md
// (module "env").
//
// Execution is deterministic and metered in the module's own bytecode, so
// wazero's compiler and its interpreter stop a call at the same
// instruction with the same gas used. The context's deadline is only a
// watchdog that protects the node: a call it stops was not executed.
//
// Errors: deploy-rule violations are *core.RuleError with the deploy codes
// (invalid_module, float_not_allowed, code_too_large, ...). A call that ran
// and failed reports out_of_gas, trap, aborted or call_depth_exceeded;
// any other error (from the Host, the watchdog, or a module that fails the
// deploy rules) means the call was not executed.
package vm
