/**
 * Jest setup (every worker, before each test file): the AWS SDK's Node-version support
 * warning says nothing about this suite's code (Lambda runs Node 24), and on a Node 20
 * machine it is printed by every worker and child process; a green run should look green.
 * Set in `process.env`, so the services and scripts tests spawn inherit it.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
