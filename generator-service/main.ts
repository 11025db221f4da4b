// placeholder: replaced by the generator service entry point
process.stderr.write('not implemented yet\n');
process.exit(1);
