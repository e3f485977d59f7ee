*** Settings ***
Documentation     The PL011's transmit interrupt as SPI 1 (INTID 33): firmware-samples/uart-txirq.
...               Expected lines: firmware-samples/expected/uart-txirq.el1.txt.
Suite Setup       Setup
Suite Teardown    Teardown
Test Setup        Reset Emulation
Test Teardown     Test Teardown
Resource          ${RENODEKEYWORDS}

*** Variables ***
${UART}           sysbus.uart0

*** Test Cases ***
UART Transmit Interrupt Should Reach The CPU
    Execute Command           mach create "uart-txirq"
    Execute Command           machine LoadPlatformDescription @platforms/virt-gicv3.repl
    Execute Command           sysbus LoadELF @firmware-samples/build/uart-txirq.elf
    Create Terminal Tester    ${UART}    timeout=5
    Start Emulation
    Wait For Line On Uart     uart imsc before: 0x0
    Wait For Line On Uart     transmitting with txim set
    Wait For Line On Uart     irq: intid 33 uartmis.txmis 1
    Wait For Line On Uart     after handler: imsc 0x0 mis 0x0 spi pending 0
    Wait For Line On Uart     PASS
    Should Not Be On Uart     FAIL    timeout=0.1
