// Prints what a program learns about how it was started: whether it is the main module, its own path as
// argv[1], and its arguments.
console.log('main', require.main === module, process.argv[1] === __filename, JSON.stringify(process.argv.slice(2)));
