*** Settings ***
Documentation     LPIs through the ITS on platforms/virt-gicv3-its.repl: firmware-samples/lpi-its (MAPD/MAPC/MAPTI,
...               GITS_TRANSLATER, INT, priorities from the LPI Configuration table, CLEAR, INV, DISCARD, MOVI to CPU1) and
...               firmware-samples/its-two-level (two-level Device table). Expected lines: firmware-samples/expected/<sample>.el1.txt.
Suite Setup       Setup
Suite Teardown    Teardown
Test Setup        Reset Emulation
Test Teardown     Test Teardown
Resource          ${RENODEKEYWORDS}

*** Variables ***
${UART}           sysbus.uart0
${PLATFORM}       @platforms/virt-gicv3-its.repl

*** Keywords ***
Create Machine
    [Arguments]    ${sample}
    Execute Command           mach create "${sample}"
    Execute Command           machine LoadPlatformDescription ${PLATFORM}
    Execute Command           sysbus LoadELF @firmware-samples/build/${sample}.elf
    Create Terminal Tester    ${UART}    timeout=5

Sample Should Pass
    Wait For Line On Uart     PASS
    Should Not Be On Uart     FAIL    timeout=0.1

*** Test Cases ***
Should Identify LPI Support And The ITS
    Create Machine            lpi-its
    Start Emulation
    Wait For Line On Uart     gicd_typer.lpis: 1
    Wait For Line On Uart     gicr_typer.plpis: 1
    Wait For Line On Uart     gits_typer: physical 1 itt_entry_size 12 devbits 16 idbits 16 cidbits 16 pta 0
    Wait For Line On Uart     gits_baser0: type 1 entry_size 8
    Wait For Line On Uart     gits_baser1: type 4 entry_size 8
    Wait For Line On Uart     gits_ctlr.enabled before init: 0
    Wait For Line On Uart     gits_ctlr.enabled: 1
    Wait For Line On Uart     creadr after mapping: 0x140

Should Deliver LPIs From GITS_TRANSLATER And INT By Priority
    Create Machine            lpi-its
    Start Emulation
    Wait For Line On Uart     translater event 0: intid 8192 rpr 0xa0
    Wait For Line On Uart     rpr after eoi: 0xff
    Wait For Line On Uart     hppir1 with a, b, c pending: 8193
    Wait For Line On Uart     order: 8193 8194 8192
    Wait For Line On Uart     rpr while handling: 0x80 0x90 0xa0
    ${line}=                  Wait For Line On Uart    int device (\\d+) event (\\d+): intid (\\d+)    treatAsRegex=true
    Should Be Equal As Integers    ${line}[groups][0]    5
    Should Be Equal As Integers    ${line}[groups][2]    8300

Should Clear, Disable, Re-Enable And Discard LPIs
    Create Machine            lpi-its
    Start Emulation
    Wait For Line On Uart     hppir1 before clear: 8193
    Wait For Line On Uart     hppir1 after clear: 1023
    Wait For Line On Uart     lpis taken after clear: 0
    Wait For Line On Uart     disabled lpi taken: 0
    Wait For Line On Uart     re-enabled: intid 8192 rpr 0x50
    Wait For Line On Uart     after discard: 0 lpis more

MOVI Should Move A Pending LPI To CPU1, Then Pass
    Create Machine            lpi-its
    Start Emulation
    Wait For Line On Uart     hppir1 on cpu0 before movi: 8195
    Wait For Line On Uart     hppir1 on cpu0 after movi: 1023
    Wait For Line On Uart     cpu1: intid 8195
    Wait For Line On Uart     cpu1 after movi: intid 8195
    Wait For Line On Uart     cpu0 lpis: 6, cpu1 lpis: 2
    Sample Should Pass

Two-Level Device Table Should Translate Through Its Level-2 Pages, Then Pass
    Create Machine            its-two-level
    Start Emulation
    Wait For Line On Uart     gits_baser0: valid 1 indirect 1 page_size 0 entry_size 8 type 1
    Wait For Line On Uart     creadr: 0x100 (stalled 0)
    Wait For Line On Uart     dte 1100 in level-2 page: yes
    Wait For Line On Uart     level-1 entry 1 still invalid: yes
    Wait For Line On Uart     translater event 1 (device 0): intid 9000
    Wait For Line On Uart     int device 1100 event 2: intid 9001
    Wait For Line On Uart     int device 600 event 3: 0 lpis
    Wait For Line On Uart     creadr stalled: 0
    Wait For Line On Uart     after unmapping device 1100: 0 lpis
    Sample Should Pass
