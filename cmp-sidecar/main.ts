// placeholder: replaced by the eks-overlay CLI entry point
process.stderr.write('not implemented yet\n');
process.exit(1);
