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
// Tiers: a deploy (Check, or the first Run of code not in the cache)
// compiles the metered module with wazero's interpreter, which compiles
// several times faster than the optimizing compiler, and queues it for the
// compiler, which compiles in the background (one module at a time; Close
// drops the queue and cancels the compile running). Run uses the
// compiler's module once it is ready and the interpreter's until then;
// each has its own pool of instances, and the interpreter's is closed when
// its last call returns. Which tier runs a call changes its speed only:
// the metered bytecode is the same, so results, gas and host effects are
// identical. With Config.Interpreter, or where wazero has no compiler,
// there is no second tier.
//
// Errors: deploy-rule violations are *core.RuleError with the deploy codes
// (invalid_module, float_not_allowed, code_too_large, ...). A call that ran
// and failed reports out_of_gas, trap, aborted or call_depth_exceeded;
// any other error (from the Host, the watchdog, or a module that fails the
// deploy rules) means the call was not executed.
package vm
