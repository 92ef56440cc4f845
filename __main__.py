from journeylab.cli import main

main()
